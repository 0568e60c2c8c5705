# One image per service: docker build --build-arg SERVICE=notifier -t invoice-signal/notifier .
# Services run from TypeScript source on Node 24 (type stripping); no build step.
FROM node:24.21.0-bookworm-slim
ARG SERVICE
RUN test -n "$SERVICE" || (echo "build with --build-arg SERVICE=<ingest-gateway|enricher|risk-scorer|notifier|payment-tracker>" && false)
ENV NODE_ENV=production SERVICE=${SERVICE} HOST=0.0.0.0
WORKDIR /app
RUN npm install -g pnpm@12.4.2 && npm cache clean --force
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json tsconfig.base.json ./
COPY schemas ./schemas
COPY packages ./packages
COPY services/${SERVICE} ./services/${SERVICE}
RUN pnpm install --frozen-lockfile --prod --ignore-scripts --filter "@invoice-signal/${SERVICE}..."
USER node
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["sh", "-c", "exec node --disable-warning=TimeoutNegativeWarning services/${SERVICE}/src/main.ts"]
