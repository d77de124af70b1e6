# One image for every Dualwatch app; the command picks the app.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# applied by npm ci's postinstall (patch-package)
COPY patches patches
COPY tsconfig*.json nest-cli.json ./
COPY apps apps
COPY libs libs
COPY tools tools
COPY bench bench
COPY bin bin
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
# MALLOC_ARENA_MAX=2: fewer glibc malloc arenas; the engine's RSS under load 436 → 389 MiB at the same CPU (docs/benchmarks.md)
ENV NODE_ENV=production HTTP_HOST=0.0.0.0 MALLOC_ARENA_MAX=2
COPY --from=build /app /app
USER node
# node is PID 1 and handles SIGTERM itself: shutdown hooks run, then it exits (docker stop, Kubernetes)
STOPSIGNAL SIGTERM
EXPOSE 3000 3001 3002 3003
CMD ["node", "dist/apps/risk-engine/src/main.js"]
