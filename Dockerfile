# Sequent's API and worker (one image, two commands: `npm run api`, `npm run worker`).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PRISMA_HIDE_UPDATE_MESSAGE=1
COPY package.json package-lock.json ./
# Dev dependencies stay: tsx runs the TypeScript sources, prisma generates the client.
RUN npm ci --include=dev --no-audit --no-fund
COPY . .
RUN PRISMA_SCHEMA_ENGINE_BINARY="$(command -v node)" npx prisma generate
USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
