# syntax=docker/dockerfile:1
# Build: docker build -t igait-backend .
# Run:   docker run -p 443:8080 -v igait-data:/app/data \
#          -v $PWD/application-prod.properties:/app/application-prod.properties:ro \
#          -v /etc/letsencrypt:/etc/letsencrypt:ro \
#          -v $PWD/routes:/app/routes:ro -e IGAIT_ACCESS_KEY=... -e FIREBASE_DATABASE_URL=... igait-backend
# The prod profile (application-prod.properties: set igait.auth.project-id, and igait.http.tls.cert/key
# or igait.http.trusted-proxies there) refuses to start on a public address without TLS; see README.md, Security.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -ntp -q -Dmaven.test.skip=true dependency:go-offline || true
COPY src src
# No tests, so no test peers either: src/dev (the dev run's stand-ins) and node are not needed.
RUN mvn -B -ntp -Dmaven.test.skip=true -DskipTests package

FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin igait
WORKDIR /app
COPY --from=build /src/target/igait-backend.jar /app/igait-backend.jar
# Defaults; replace either with a mount to change the flow or the configuration without rebuilding.
COPY routes /app/routes
COPY application.properties /app/application.properties
COPY application-prod.properties /app/application-prod.properties
RUN mkdir -p /app/data && chown -R igait:igait /app/data
USER igait
# Jobs, stage folders, failed and done: keep them across container restarts.
VOLUME ["/app/data"]
EXPOSE 8080
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
# HTTPS when the service serves TLS itself (the certificate names the public host, not 127.0.0.1: -k), else HTTP.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsSk https://127.0.0.1:8080/api/v1/health || curl -fsS http://127.0.0.1:8080/api/v1/health || exit 1
ENTRYPOINT ["java", "-Dcamel.main.profile=prod", "-jar", "/app/igait-backend.jar"]
