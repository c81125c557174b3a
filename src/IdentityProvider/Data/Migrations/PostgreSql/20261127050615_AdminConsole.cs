using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OnePass.IdentityProvider.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class AdminConsole : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "OnePassAdminChanges",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ActorUserId = table.Column<Guid>(type: "uuid", nullable: true),
                    ActorName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Action = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    TargetType = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    TargetId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Before = table.Column<string>(type: "text", nullable: true),
                    After = table.Column<string>(type: "text", nullable: true),
                    IpAddress = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OnePassAdminChanges", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "OnePassAgencyLogos",
                columns: table => new
                {
                    ClientId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    ContentType = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: false),
                    Digest = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OnePassAgencyLogos", x => x.ClientId);
                });

            migrationBuilder.CreateTable(
                name: "OnePassSettings",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Value = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Version = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OnePassSettings", x => x.Name);
                });

            migrationBuilder.CreateIndex(
                name: "IX_OnePassAuthEvents_ClientId_Time",
                table: "OnePassAuthEvents",
                columns: new[] { "ClientId", "Time" });

            migrationBuilder.CreateIndex(
                name: "IX_OnePassAdminChanges_ActorUserId_Time",
                table: "OnePassAdminChanges",
                columns: new[] { "ActorUserId", "Time" });

            migrationBuilder.CreateIndex(
                name: "IX_OnePassAdminChanges_TargetType_TargetId_Time",
                table: "OnePassAdminChanges",
                columns: new[] { "TargetType", "TargetId", "Time" });

            migrationBuilder.CreateIndex(
                name: "IX_OnePassAdminChanges_Time",
                table: "OnePassAdminChanges",
                column: "Time");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OnePassAdminChanges");

            migrationBuilder.DropTable(
                name: "OnePassAgencyLogos");

            migrationBuilder.DropTable(
                name: "OnePassSettings");

            migrationBuilder.DropIndex(
                name: "IX_OnePassAuthEvents_ClientId_Time",
                table: "OnePassAuthEvents");
        }
    }
}
