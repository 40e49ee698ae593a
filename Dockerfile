# syntax=docker/dockerfile:1
# Build: docker build -t igait-backend .
# Run:   docker run -p 443:8080 --stop-timeout 60 -v igait-data:/app/data \
#          -v $PWD/application.properties:/app/application.properties:ro \
#          -v /etc/letsencrypt:/etc/letsencrypt:ro \
#          -v $PWD/routes:/app/routes:ro -e IGAIT_ACCESS_KEY=... -e FIREBASE_DATABASE_URL=... igait-backend
# The prod profile (its defaults in the jar's application-prod.properties) refuses to start on a public
# address without TLS: set igait.auth.project-id, and igait.http.tls.cert/key or igait.http.trusted-proxies,
# in the mounted application.properties (or the environment); see README.md, Security.

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
# The flow and this deployment's settings over the defaults in the jar; replace either with a mount to
# change them without rebuilding.
COPY routes /app/routes
COPY application.properties /app/application.properties
# Start-up: the classes a start loads, archived once here (AppCDS): the service answers in about 2 s
# instead of 3.5 on 2 cores (bench/intake, docs/PERFORMANCE.md). The archive belongs to this JVM and
# this jar; a JVM that cannot use it says so and starts without it.
RUN java -XX:ArchiveClassesAtExit=/app/igait.jsa -Xlog:cds=error -Dcamel.main.duration-max-seconds=5 \
      -Digait.auth.mode=none -Digait.pipeline.enabled=false -Digait.data-dir=/tmp/cds-data \
      -Dcamel.server.host=127.0.0.1 -Dcamel.management.host=127.0.0.1 -jar /app/igait-backend.jar \
 && rm -rf /tmp/cds-data && chmod 444 /app/igait.jsa
RUN mkdir -p /app/data && chown -R igait:igait /app/data
USER igait
# Jobs, stage folders, failed and done: keep them across container restarts.
VOLUME ["/app/data"]
# 8080: the API. 9876: health and metrics (camel.management.port) for the orchestrator and Prometheus;
# never publish it to the internet (no authentication).
EXPOSE 8080 9876
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
# Liveness on the management port: the process works (readiness, /observe/health/ready, is for a load
# balancer: it goes DOWN at SIGTERM, with a read-only data folder, or a disk at its margin).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:9876/observe/health/live || exit 1
# SIGTERM drains: uploads get igait.shutdown.drain (30s), the whole stop camel.main.shutdown-timeout
# (45s). Give it that long: docker stop --time 60, or stop_grace_period: 60s in compose.
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/app/igait.jsa", "-Dcamel.main.profile=prod", "-jar", "/app/igait-backend.jar"]
