# syntax=docker/dockerfile:1
# The store as an image: `docker build -t pixel-and-key .`, or `docker compose up -d` with compose.yaml
# (README, "Production deployment"). The image holds no secrets: configuration comes from the environment.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- toolchain: what npm needs to install better-sqlite3 ----
FROM ${NODE_IMAGE} AS toolchain
# better-sqlite3 is a native addon, and npm runs node-gyp on it: with the prebuilt binary it ships for
# linux x64 and arm64 nothing is compiled, but gyp still needs python3 and make (g++ for other platforms).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# npm's preinstall step checks the Node version with it.
COPY scripts/check-node.cjs ./scripts/check-node.cjs

# ---- build: install everything and compile src/ (dev/, the development services, stays out) ----
FROM toolchain AS build
# package.json's allowScripts lets better-sqlite3 and esbuild (a build tool) run their install steps.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- deps: the production dependencies only (no development identity provider, SMTP server, tsx) ----
FROM toolchain AS deps
RUN npm ci --omit=dev --no-audit --no-fund

# ---- runtime: the compiled store, its production dependencies and the files it reads ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Owned by root and read-only to the store; only /app/data (SQLite, local files) is the store's to write.
COPY --from=deps /app/package.json ./package.json
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# public/ (assets, found next to dist/) and content/ (CONTENT_DIR, relative to /app; mount your own).
COPY public ./public
COPY content ./content
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# Liveness: the process answers. Load balancers should use /readyz (the database is reachable) as well.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# As `npm run start:prod`: a smaller young generation and a capped old one keep peak memory under
# 250 MB under load (see docs/ARCHITECTURE.md, "Memory").
CMD ["node", "--max-semi-space-size=8", "--max-old-space-size=128", "dist/src/main.js"]
