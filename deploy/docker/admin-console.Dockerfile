# syntax=docker/dockerfile:1
# OnePass admin console (CONTRACT §1: a relying party of the identity provider, client id onepass-admin).
# src/AdminConsole has no project references, so only its own folder is copied.
# Build from the repository root:
#   docker build -f deploy/docker/admin-console.Dockerfile -t onepass/admin-console .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/AdminConsole/AdminConsole.csproj src/AdminConsole/
RUN dotnet restore src/AdminConsole/AdminConsole.csproj
COPY src/AdminConsole/ src/AdminConsole/
RUN dotnet publish src/AdminConsole/AdminConsole.csproj -c Release -o /app --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "OnePass.AdminConsole.dll"]
