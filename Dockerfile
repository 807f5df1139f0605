# syntax=docker/dockerfile:1
# The ticket service: one image for the replicas and for the migration job.
#   docker build -t tickets/ticket-service .
#   docker run … tickets/ticket-service                                        (a replica)
#   docker run … tickets/ticket-service node services/ticket-service/src/cli.ts migrate
# Node 24 runs the TypeScript sources directly (type stripping): no compile step.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-slim AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# Everything npm installs here runs without install scripts: the root devDependency
# `node` would download a second Node, the root postinstall would generate the Prisma
# client before its schema is copied, and argon2 loads the prebuilt binary it ships.
# `npm install`, not `npm ci`: the lockfile written by npm 11 leaves out other
# platforms' optional packages, which `npm ci` treats as out of sync.

# Production dependencies only. Prisma's CLI, TypeScript and Studio are optional peers
# of @prisma/client that are also devDependencies ("devOptional"); omitting optional
# packages as well keeps them out (the only others are foreign-platform binaries).
FROM base AS prod-deps
COPY package.json package-lock.json ./
COPY services/ticket-service/package.json services/ticket-service/
COPY packages/contract/package.json packages/contract/
RUN --mount=type=cache,target=/root/.npm \
    npm install --omit=dev --omit=optional --ignore-scripts

# The Prisma client is generated code (never committed): generate it with the full
# toolchain. prisma/generate.ts needs no downloaded engine.
FROM base AS prisma-client
COPY package.json package-lock.json prisma.config.ts ./
COPY services/ticket-service/package.json services/ticket-service/
COPY packages/contract/package.json packages/contract/
COPY prisma prisma
RUN --mount=type=cache,target=/root/.npm \
    npm install --include=dev --ignore-scripts \
 && npm run generate -w services/ticket-service

FROM base AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
COPY --from=prod-deps /app/node_modules node_modules
# sharp's libvips binaries for this platform are optional packages of sharp, so the
# production install above leaves them out; the full install has them (@img/*).
COPY --from=prisma-client /app/node_modules/@img node_modules/@img
COPY package.json ./
COPY services/ticket-service/package.json services/ticket-service/
# The HTTP contract (schemas and limits), linked from node_modules/@tickets/contract.
COPY packages/contract/package.json packages/contract/
COPY packages/contract/src packages/contract/src
# The migration runner (cli.ts migrate) reads prisma/migrations.
COPY prisma/migrations prisma/migrations
COPY services/ticket-service/src services/ticket-service/src
COPY --from=prisma-client /app/services/ticket-service/src/generated services/ticket-service/src/generated
# Files stay owned by root: the process (user `node`, 1000) can read, never change them.
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM (the default stop signal) drains: the replica stops accepting, finishes
# in-flight requests within SHUTDOWN_GRACE_MS, then closes its clients.
CMD ["node", "services/ticket-service/src/server.ts"]
