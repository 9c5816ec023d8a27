# kpibot: a static binary on a distroless base, running as non-root.
#   docker build -t kpibot .
#   docker run -e TELEGRAM_BOT_TOKEN=... -v kpibot-data:/data kpibot
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The same flags are checked by cmd/kpibot's TestStaticBinaryInEmptyRoot.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/kpibot ./cmd/kpibot

# distroless static: CA certificates (to reach api.telegram.org), /etc/passwd
# with the nonroot user, nothing else; time zones are inside the binary.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kpibot /kpibot
USER nonroot:nonroot
ENV DATA_DIR=/data HTTP_ADDR=:8080
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/kpibot", "healthcheck"]
ENTRYPOINT ["/kpibot"]
