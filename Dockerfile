# syntax=docker/dockerfile:1

# ---- build ------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Project files first, so the restore layer is reused until a project file or
# a package version changes (plain source edits skip straight to publish).
COPY global.json Directory.Build.props Directory.Packages.props Roadmap.sln ./
COPY Roadmap.Api/Roadmap.Api.csproj                 Roadmap.Api/
COPY Roadmap.Domain/Roadmap.Domain.csproj           Roadmap.Domain/
COPY Roadmap.EventStore/Roadmap.EventStore.csproj   Roadmap.EventStore/
COPY Roadmap.Projections/Roadmap.Projections.csproj Roadmap.Projections/
# Only the API and the projects it references are restored: the tests and
# benchmarks are not part of the image.
RUN dotnet restore Roadmap.Api/Roadmap.Api.csproj

COPY . .
RUN dotnet publish Roadmap.Api/Roadmap.Api.csproj -c Release -o /app

# ---- runtime ----------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime

# curl is only there for the container healthcheck (docker-compose.yml);
# the aspnet image does not ship one.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY --from=build /app ./

# The base image sets ASPNETCORE_HTTP_PORTS=8080; clearing it avoids the
# "Overriding HTTP_PORTS ... Binding to values defined by URLS" warning.
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_HTTP_PORTS=

# Non-root: the .NET images ship an 'app' user, APP_UID is its numeric id.
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "Roadmap.Api.dll"]
