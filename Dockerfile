# securescore-connector as a scheduled container job (Azure Container Apps Job, Kubernetes CronJob).
# No secrets are baked in: credentials come from the platform (managed identity, workload identity)
# or from environment variables at run time.

# --- build: compile TypeScript with the dev dependencies ---------------------------------------------
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: "prepare" compiles, and the sources are not copied yet.
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# --- run: production dependencies and the compiled CLI only, as a non-root user ---------------------
FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY dcr-templates ./dcr-templates
COPY kql ./kql
# The default checkpoint file and dead letters land in the working directory. In a job, prefer
# --state https://<account>.blob.core.windows.net/<container>/<folder> so checkpoints outlive the replica.
RUN mkdir -p /work && chown node:node /work
WORKDIR /work
USER node
# The heap is capped so V8 collects early rather than let garbage pile up: the run holds two Graph
# requests' worth of snapshots and 8 ingestion requests at a time, whatever the tenant count. The young
# generation is capped too: V8 grows it (up to 2 x 16 MB semi-spaces) only in long runs, so without the
# cap the peak grows with the run's length on garbage alone. npm run bench (Node 20, 2 cores), 90-day
# backfill of 400 controls: 1 tenant 127 MB RSS, 100 tenants 188 MB (201 without the young cap); a
# 10,000-control tenant 171 MB (187); 1,000 tenants' daily run 182 MB (211). CPU: within the runs'
# noise, but for the 10,000-control tenant (~10% more). 4 MB semi-spaces save ~15 MB more for 15-25% CPU.
ENTRYPOINT ["node", "--max-old-space-size=384", "--max-semi-space-size=8", "/app/dist/cli/index.js"]
CMD ["run"]
