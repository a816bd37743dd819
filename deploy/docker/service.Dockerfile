# The image of one Draaiboek service: docker build -f deploy/docker/service.Dockerfile \
#   --build-arg SERVICE=intake --build-arg PORT=3001 -t draaiboek/intake .
# One file for the four services (docs/decisions/0022-deployment.md): each image holds only
# its own service's compiled code, the libraries and the production dependencies.
ARG NODE_IMAGE=node:20-alpine

FROM ${NODE_IMAGE} AS build
ARG SERVICE
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error --ignore-scripts
COPY tsconfig.base.json tsconfig.build.json ./
COPY libs ./libs
COPY apps/${SERVICE} ./apps/${SERVICE}
RUN test -n "${SERVICE}" \
 && node node_modules/typescript/bin/tsc -p tsconfig.build.json \
 && printf "require('./apps/%s/src/main.js');\n" "${SERVICE}" > dist/out/main.js \
 && npm prune --omit=dev --no-audit --no-fund --loglevel=error --ignore-scripts

FROM ${NODE_IMAGE}
ARG SERVICE
ARG PORT
# The service's young generation (decision 0032: 16 for declarations, else 4; tools/run/service-node-flags.js).
ARG SEMI_SPACE_MIB=4
ENV NODE_ENV=production \
    HTTP_PORT=${PORT} \
    NODE_OPTIONS="--max-semi-space-size=${SEMI_SPACE_MIB} --max-old-space-size=256"
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json tsconfig.base.json ./
COPY tools/run/register-paths.js ./tools/run/register-paths.js
# The image's own user (uid 1000), never root.
USER node
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=6 \
  CMD wget -qO- "http://127.0.0.1:${HTTP_PORT}/health/live" > /dev/null || exit 1
# `docker run <image>` runs the service; `docker run <image> migrate` or `provision-topics` a one-off task.
ENTRYPOINT ["node", "-r", "./tools/run/register-paths.js", "dist/out/main.js"]
