# Build stage: the wheel, with the scoring modules compiled by mypyc (the same source as C
# extensions, about a fifth faster; see docs/operations.md). The slim image has no compiler.
FROM python:3.11 AS build
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY earful ./earful
COPY streams ./streams
COPY alerts ./alerts
COPY connectors ./connectors
COPY config ./config
RUN EARFUL_NATIVE=1 pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /var/lib/earful --create-home earful
USER earful
# In a container: JSON logs for the collector, health and metrics reachable from outside.
ENV EARFUL_HOME=/var/lib/earful EARFUL_LOG_FORMAT=json EARFUL_METRICS_HOST=0.0.0.0
EXPOSE 9101 9102
# Workers finish the message in hand, commit and leave their group on SIGTERM.
STOPSIGNAL SIGTERM
ENTRYPOINT ["earful"]
