# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, ship production dependencies only, run as a non-root user.
# Not built on the development machines (no Docker engine there); CI builds it where Docker exists.

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# --ignore-scripts: the image already has Node 24; skip the registry's node package and our prepare step
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY patches ./patches
# --ignore-scripts skips postinstall too: patch-package (a dev dependency) applies patches/ (patches/README.md)
# explicitly, then the dev dependencies go. scripts/check-production-install.sh runs the same three steps.
RUN npm ci --ignore-scripts --no-audit --no-fund \
  && npx --no-install patch-package --error-on-fail \
  && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production
# No NODE_OPTIONS: bin/settle.js gives produce, replay and consume their heap settings itself (README, Performance);
# a NODE_OPTIONS set here or in a manifest would win over them, flag by flag.
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY schemas ./schemas
COPY migrations ./migrations
COPY config ./config
# the image's `node` user, by number: Kubernetes' runAsNonRoot can only verify a numeric user
USER 1000:1000
# 9464: the consumer's /healthz, /readyz and /metrics
EXPOSE 9464
ENTRYPOINT ["node", "/app/bin/settle.js"]
CMD ["--help"]
