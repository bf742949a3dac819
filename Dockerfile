# kiro-ts in a container: build the single executable with Bun, run it on a slim base.
#   docker build -t kiro-ts .
#   docker run -d -p 8990:8990 \
#     -v $PWD/config.json:/etc/kiro-ts/config.json:ro \
#     -v $PWD/credentials:/var/lib/kiro-ts/credentials \
#     kiro-ts
# config.json needs "host": "0.0.0.0", "port": 8990 and "credentialsDir": "/var/lib/kiro-ts/credentials".
# Try it without an account: docker run --rm -p 8990:8990 kiro-ts demo --host 0.0.0.0

FROM oven/bun:1.4.4 AS build
WORKDIR /src
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile
COPY . .
RUN bun run build

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /var/lib/kiro-ts kiro \
 && mkdir -p /etc/kiro-ts /var/lib/kiro-ts/credentials \
 && chown -R kiro /var/lib/kiro-ts
COPY --from=build /src/dist/kiro-ts /usr/local/bin/kiro-ts
USER kiro
# Lets fetch hold more than 256 upstream streams; set here, kiro-ts need not restart itself with it at start.
ENV BUN_CONFIG_MAX_HTTP_REQUESTS=8192
WORKDIR /var/lib/kiro-ts
EXPOSE 8990
VOLUME ["/var/lib/kiro-ts/credentials"]
ENTRYPOINT ["kiro-ts"]
CMD ["-c", "/etc/kiro-ts/config.json"]
