FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY earful ./earful
COPY streams ./streams
COPY alerts ./alerts
COPY connectors ./connectors
COPY config ./config
RUN pip install --no-cache-dir .
ENV EARFUL_HOME=/var/lib/earful
ENTRYPOINT ["earful"]
