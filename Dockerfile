# syntax=docker/dockerfile:1
# The server as an image. The build stage runs the steps CI runs (npm ci, which also generates the
# Prisma client offline; npm run generate; npm run build), then drops the dev dependencies; the
# runtime stage keeps only what `node dist/index.js` needs and runs it as the image's `node` user.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so that a change to the sources does not reinstall them.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
# npm ci's postinstall applies patches/ (patch-package) to the installed libraries.
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run generate && npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000 DATA_DIR=/app/.data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Migrations are applied by the server as it starts (dist/db/migrate.js reads ../../prisma/migrations).
COPY --from=build /app/prisma ./prisma
# Without DATABASE_URL the server keeps an embedded database here: writable by the server's user.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 4000
# Ready when the database answers (GET /readyz); node's own fetch, as the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))"]
# node itself (not npm) is PID 1, so `docker stop`'s SIGTERM reaches the server's graceful shutdown.
CMD ["node", "--max-semi-space-size=32", "--enable-source-maps", "dist/index.js"]
