using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Seed;

/// <summary>
/// A digest of every row and column of some tables: equal digests mean nothing was written, not even a
/// ConcurrencyStamp or a re-hashed secret (row counts alone would miss an update).
/// </summary>
public static class TableChecksum
{
    public static readonly string[] SeededTables = ["OpenIddictApplications", "AspNetUsers", "AspNetRoles", "AspNetUserRoles"];

    public static Task<string> OfHostAsync(OnePassHost host, params string[] tables) => host.WithDatabaseAsync(async db =>
    {
        await db.Database.OpenConnectionAsync();
        return await ComputeAsync(db.Database.GetDbConnection(), tables.Length == 0 ? SeededTables : tables);
    });

    public static async Task<string> ComputeAsync(DbConnection connection, IEnumerable<string> tables)
    {
        var text = new StringBuilder();
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\" ORDER BY 1, 2";
            await using var reader = await command.ExecuteReaderAsync();
            text.Append(table).Append('\n');
            while (await reader.ReadAsync())
            {
                for (var column = 0; column < reader.FieldCount; column++)
                {
                    text.Append(reader.GetName(column)).Append('=')
                        .Append(Convert.ToString(reader.GetValue(column), CultureInfo.InvariantCulture)).Append('\u001f');
                }

                text.Append('\n');
            }
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
