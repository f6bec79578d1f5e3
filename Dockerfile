# webex-harness in a container: the command line is the entry point, run as a non-root user in /work,
# where ./environments (your environment files) and ./reports (the run folders) are volumes.
#
#   docker build -t webex-harness .
#   docker run --rm -v "$PWD/environments:/work/environments:ro" -v "$PWD/reports:/work/reports" \
#       -e WEBEX_SITE -e WEBEX_USER -e WEBEX_PASSWORD -e WEBEX_REST_TOKEN \
#       webex-harness run --env my-site
#   docker run --rm -v "$PWD/reports:/work/reports" webex-harness run      # the embedded emulator
#
# docs/ci.md shows it in a CI job. The image holds the package with its load extra, every dependency at
# the version constraints.txt pins.

# --- the wheel, built from the checkout (.dockerignore keeps the rest out of the context)
FROM python:3.11-slim AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY . /src/
RUN python -m pip wheel --no-deps --wheel-dir /dist /src

# --- the image: the wheel installed, a non-root user, /work with its two volumes
FROM python:3.11-slim
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1
COPY --from=wheel /dist/ /tmp/dist/
COPY constraints.txt /tmp/constraints.txt
RUN python -m pip install -c /tmp/constraints.txt "$(ls /tmp/dist/webex_harness-*.whl)[load]" \
    && rm -rf /tmp/dist /tmp/constraints.txt \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin harness \
    && mkdir -p /work/reports /work/environments \
    && chown -R harness:harness /work
USER harness
WORKDIR /work
VOLUME ["/work/reports", "/work/environments"]
ENTRYPOINT ["webex-harness"]
CMD ["--help"]
