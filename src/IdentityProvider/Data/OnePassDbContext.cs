using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace OnePass.IdentityProvider.Data;

/// <summary>
/// The one database of OnePass: Identity users, OpenIddict clients/authorizations/tokens (Guid keys),
/// the Data Protection key ring, the server's keys and secrets. Each provider has its own subclass so
/// that each keeps its own migrations (<c>Data/Migrations/Sqlite</c>, <c>Data/Migrations/PostgreSql</c>).
/// </summary>
public abstract class OnePassDbContext(DbContextOptions options)
    : IdentityDbContext<OnePassUser, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<KeyMaterial> Keys => Set<KeyMaterial>();

    public DbSet<ServerSecret> ServerSecrets => Set<ServerSecret>();

    public DbSet<LogoutNotification> LogoutNotifications => Set<LogoutNotification>();

    public DbSet<UserTotp> UserTotps => Set<UserTotp>();

    public DbSet<RecoveryCode> RecoveryCodes => Set<RecoveryCode>();

    public DbSet<PasskeyCredential> Passkeys => Set<PasskeyCredential>();

    public DbSet<AuthEvent> AuthEvents => Set<AuthEvent>();

    public DbSet<AdminChange> AdminChanges => Set<AdminChange>();

    public DbSet<AgencyLogo> AgencyLogos => Set<AgencyLogo>();

    public DbSet<AdminSetting> AdminSettings => Set<AdminSetting>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.UseOpenIddict<Guid>();

        builder.Entity<OnePassUser>().Property(user => user.DisplayName).HasMaxLength(200);

        builder.Entity<KeyMaterial>(key =>
        {
            key.ToTable("OnePassKeys");
            key.HasIndex(k => k.KeyId).IsUnique();
            key.Property(k => k.KeyId).HasMaxLength(100);
            key.Property(k => k.Use).HasMaxLength(10);
            key.Property(k => k.Algorithm).HasMaxLength(20);
        });

        builder.Entity<ServerSecret>(secret =>
        {
            secret.ToTable("OnePassServerSecrets");
            secret.HasKey(s => s.Name);
            secret.Property(s => s.Name).HasMaxLength(100);
        });

        builder.Entity<LogoutNotification>(notification =>
        {
            notification.ToTable("OnePassLogoutNotifications");
            notification.HasIndex(n => new { n.Status, n.NextAttemptAt });
            notification.HasIndex(n => n.ClientId);
            notification.Property(n => n.ClientId).HasMaxLength(100);
            notification.Property(n => n.Uri).HasMaxLength(2000);
            notification.Property(n => n.Issuer).HasMaxLength(2000);
            notification.Property(n => n.Subject).HasMaxLength(200);
            notification.Property(n => n.SessionId).HasMaxLength(100);
            notification.Property(n => n.TokenId).HasMaxLength(100);
            notification.Property(n => n.Reason).HasMaxLength(40);
            notification.Property(n => n.LastError).HasMaxLength(500);
        });

        builder.Entity<UserTotp>(totp =>
        {
            totp.ToTable("OnePassUserTotp");
            totp.HasKey(t => t.UserId);
            totp.HasOne<OnePassUser>().WithOne().HasForeignKey<UserTotp>(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
            totp.Property(t => t.ProtectedSecret).HasMaxLength(1000);
        });

        builder.Entity<RecoveryCode>(code =>
        {
            code.ToTable("OnePassRecoveryCodes");
            code.HasOne<OnePassUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
            code.HasIndex(c => new { c.UserId, c.CodeHash }).IsUnique();
            code.Property(c => c.CodeHash).HasMaxLength(100);
        });

        builder.Entity<PasskeyCredential>(passkey =>
        {
            passkey.ToTable("OnePassPasskeys");
            passkey.HasOne<OnePassUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
            passkey.HasIndex(p => p.CredentialId).IsUnique();
            passkey.HasIndex(p => p.UserId);
            passkey.Property(p => p.CredentialId).HasMaxLength(1023);
            passkey.Property(p => p.UserHandle).HasMaxLength(64);
            passkey.Property(p => p.Name).HasMaxLength(100);
            passkey.Property(p => p.Transports).HasMaxLength(200);
        });

        builder.Entity<AuthEvent>(audit =>
        {
            audit.ToTable("OnePassAuthEvents");
            audit.HasIndex(e => new { e.UserId, e.Time });
            audit.HasIndex(e => e.Time);
            audit.Property(e => e.Method).HasMaxLength(20);
            audit.Property(e => e.Outcome).HasMaxLength(40);
            audit.Property(e => e.ClientId).HasMaxLength(100);
            audit.Property(e => e.IpAddress).HasMaxLength(64);
            audit.Property(e => e.UserAgent).HasMaxLength(256);
            audit.HasIndex(e => new { e.ClientId, e.Time });
        });

        builder.Entity<AdminChange>(change =>
        {
            change.ToTable("OnePassAdminChanges");
            change.HasIndex(c => c.Time);
            change.HasIndex(c => new { c.TargetType, c.TargetId, c.Time });
            change.HasIndex(c => new { c.ActorUserId, c.Time });
            change.Property(c => c.ActorName).HasMaxLength(256);
            change.Property(c => c.Action).HasMaxLength(60);
            change.Property(c => c.TargetType).HasMaxLength(20);
            change.Property(c => c.TargetId).HasMaxLength(200);
            change.Property(c => c.IpAddress).HasMaxLength(64);
        });

        builder.Entity<AgencyLogo>(logo =>
        {
            logo.ToTable("OnePassAgencyLogos");
            logo.HasKey(l => l.ClientId);
            logo.Property(l => l.ClientId).HasMaxLength(100);
            logo.Property(l => l.ContentType).HasMaxLength(20);
            logo.Property(l => l.Digest).HasMaxLength(64);
        });

        builder.Entity<AdminSetting>(setting =>
        {
            setting.ToTable("OnePassSettings");
            setting.HasKey(s => s.Name);
            setting.Property(s => s.Name).HasMaxLength(100);
            setting.Property(s => s.Value).HasMaxLength(1000);
            setting.Property(s => s.Version).IsConcurrencyToken();
        });
    }
}

public sealed class SqliteOnePassDbContext(DbContextOptions<SqliteOnePassDbContext> options) : OnePassDbContext(options)
{
    // SQLite cannot compare or order DateTimeOffset values; store them as sortable binary ticks.
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}

public sealed class PostgreSqlOnePassDbContext(DbContextOptions<PostgreSqlOnePassDbContext> options) : OnePassDbContext(options);
