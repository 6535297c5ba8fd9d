# syntax=docker/dockerfile:1
# Steward image: one image, three roles (api, worker, migrate), picked by the command.

##### Build stage: full dependency tree, compile TypeScript to dist/ #####
FROM node:20-bookworm-slim AS build
WORKDIR /app

# Install first from the manifests alone so the layer is cached until they change.
COPY package.json package-lock.json ./
RUN npm ci

COPY . .
RUN npm run build

##### Runtime stage: production dependencies and dist/ only #####
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY --from=build /app/dist ./dist

# Files stay root-owned (read-only to the app); the process runs unprivileged.
USER node
EXPOSE 3000

# Overridden per service: `npm run start:worker`, `npm run migration:run`.
CMD ["npm", "run", "start:api"]
