# The same service as `scripts/serve`, with the data dir on a volume.
FROM python:3.11-slim-bookworm
WORKDIR /app
# node runs Node.js Lambda handlers declared in the config file's `functions:`.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt pyproject.toml README.md ./
RUN pip install --no-cache-dir -r requirements.txt
# Every package the wheel ships (pyproject.toml [tool.setuptools.packages.find]).
COPY emulator ./emulator
COPY risk ./risk
COPY saml ./saml
COPY srp ./srp
RUN pip install --no-cache-dir --no-deps .
ENV COGNITO_EMULATOR_HOST=0.0.0.0 \
    COGNITO_EMULATOR_PORT=9229 \
    COGNITO_EMULATOR_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 9229
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:9229/_emulator/health'); sys.exit(0)"
ENTRYPOINT ["cognito-emulator", "serve"]
