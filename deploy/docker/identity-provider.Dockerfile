# syntax=docker/dockerfile:1
# OnePass identity provider. Build from the repository root:
#   docker build -f deploy/docker/identity-provider.Dockerfile -t onepass/identity-provider .
# Configuration is by environment variables (CONTRACT §2; deploy/README.md lists the required ones).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so that the layer is cached while only code changes.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/IdentityProvider/IdentityProvider.csproj src/IdentityProvider/
RUN dotnet restore src/IdentityProvider/IdentityProvider.csproj
COPY src/IdentityProvider/ src/IdentityProvider/
RUN dotnet publish src/IdentityProvider/IdentityProvider.csproj -c Release -o /app --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
# The image's unprivileged "app" user (uid 1654); nothing is written under /app (keys and
# data-protection keys live in the database), so the root filesystem can be read-only with /tmp writable.
USER $APP_UID
EXPOSE 8080
# For Docker and compose; Kubernetes uses its own probes (deploy/k8s). /health/ready is 200 only when the
# database, the keys and Redis (where configured) answer (CONTRACT §6). The image has bash but no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# Subcommands run the same image: docker run --rm ... onepass/identity-provider migrate
ENTRYPOINT ["dotnet", "OnePass.IdentityProvider.dll"]
