#!/usr/bin/env python3
"""Generate a labelled corpus for the detection evaluation (benches/detection).

Every case is one file: a fake but format-valid secret (positive) or a
look-alike that is not a secret (negative), embedded in a realistic wrapper
(.env, YAML, JSON, Python/JS/Go/Java, curl, XML, log line, Jenkins
credentials.xml, connection string, ...). Formats come from the providers'
published token shapes (../shared/token-formats.md and the providers' docs),
never from hush's rule examples. Checksums are computed where the format has
one (GitHub and npm: CRC32 in base62; GitLab routable tokens: CRC32 in base36).

This file must stay clean for `hush scan .`: no literal token is written here,
every value is built at run time from alphabets, lengths and prefixes.

Usage: generate.py [OUT_DIR] [--seed N] [--per-family N]
Writes OUT_DIR/cases/<family>/cNNNN/<file> (the tree to scan) and
OUT_DIR/labels.jsonl (one object a line: file (relative to OUT_DIR/cases),
family, label, kind, group, wrapper, line, end_line, secret).
"""

import argparse
import base64
import hashlib
import json
import os
import random
import re
import shutil
import string
import sys
import uuid
import zlib

R = random.Random(0)  # re-seeded in main()

DIG = string.digits
UP = string.ascii_uppercase
LO = string.ascii_lowercase
ALNUM = UP + LO + DIG
LOALNUM = LO + DIG
UPALNUM = UP + DIG
HEX = DIG + "abcdef"
HEXU = DIG + "ABCDEF"
B64 = UP + LO + DIG + "+/"
URL = ALNUM + "-_"
B32 = UP + "234567"
B62 = DIG + UP + LO
CRYPT = "./" + DIG + UP + LO
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
PWCHARS = ALNUM + "!@%^*-_=+.:"
DASH5 = "-" * 5

# Words that make a value look like a placeholder; random values must avoid them.
_BAD = re.compile("|".join(["te" + "st", "exam", "samp", "fa" + "ke", "dum" + "my", "xxx",
                            "de" + "mo", "mo" + "ck", "todo", "abc"]), re.I)


def clean(s):
    """A random value must not look like a placeholder (runs, sequences, words)."""
    if _BAD.search(s):
        return False
    run = asc = 1
    for a, b in zip(s, s[1:]):
        run = run + 1 if a == b else 1
        asc = asc + 1 if ord(b) == ord(a) + 1 else 1
        if run >= 4 or asc >= 5:
            return False
    return True


def rnd(alpha, n):
    while True:
        s = "".join(R.choice(alpha) for _ in range(n))
        if clean(s):
            return s


def rbytes(n):
    return bytes(R.getrandbits(8) for _ in range(n))


def uid():
    return str(uuid.UUID(int=R.getrandbits(128), version=4))


def digits(n):
    return str(R.randint(1, 9)) + rnd(DIG, n - 1)


def b64(b, url=False, pad=True):
    s = (base64.urlsafe_b64encode(b) if url else base64.b64encode(b)).decode()
    return s if pad else s.rstrip("=")


def b64_json(obj):
    return b64(json.dumps(obj, separators=(",", ":")).encode(), url=True, pad=False)


def base_n(n, alpha, width):
    s = ""
    while n:
        n, r = divmod(n, len(alpha))
        s = alpha[r] + s
    return s.rjust(width, alpha[0])


def crc_b62(body):
    return base_n(zlib.crc32(body.encode()), B62, 6)


def pick(*xs):
    return R.choice(xs)


def off_len(n):
    """A wrong length: n +- 1..3."""
    return n + R.choice([-3, -2, -1, 1, 2, 3])


def placeholder(prefix="", n=32, name="api key"):
    w = name.replace(" ", "_")
    return pick(prefix + "x" * n, prefix + "X" * n, "<" + w + ">", "<your-" + name.replace(" ", "-") + ">",
                "your_" + w + "_here", "YOUR_" + w.upper(), prefix + "...", "REPLACE_ME", "*" * 12,
                prefix + "<" + w + ">", "changeme", "TODO")


# ---------------------------------------------------------------- key naming

def words(key):
    return key.split()


def upper_snake(k):
    return "_".join(w.upper() for w in words(k))


def lower_snake(k):
    return "_".join(w.lower() for w in words(k))


def camel(k):
    ws = words(k)
    return ws[0].lower() + "".join(w.capitalize() for w in ws[1:])


def pascal(k):
    return "".join(w.capitalize() for w in words(k))


def dotted(k):
    return ".".join(w.lower() for w in words(k))


def kebab(k):
    return "-".join(w.lower() for w in words(k))


# ---------------------------------------------------------------- filler

ENV_FILL = ["APP_ENV=production", "LOG_LEVEL=info", "PORT=8080", "NODE_ENV=production", "TZ=UTC",
            "WORKERS=4", "FEATURE_SEARCH=true", "CACHE_TTL_SECONDS=300", "REGION=eu-west-1",
            "SERVICE_NAME=billing-api", "METRICS_ENABLED=true", "MAX_UPLOAD_MB=25",
            "# production settings", "HTTP_TIMEOUT=30", "QUEUE_NAME=events"]
LOG_FILL = ["INFO  [main] starting worker pool size=8", "DEBUG [http] GET /healthz 200 1.2ms",
            "INFO  [scheduler] job nightly-report queued", "WARN  [db] slow query 812ms table=orders",
            "INFO  [cache] warmed 1532 keys", "INFO  [http] POST /v1/orders 201 48ms"]
HOSTS = ["internal.corp", "svc.cluster.local", "prod.acme-corp.net", "eu-west-1.compute.internal"]
HOST_NAMES = ["db-prod-1", "pg-main", "orders-db", "reporting", "mysql-primary", "cache-01", "mq-2"]


def ts():
    return "2024-%02d-%02dT%02d:%02d:%02d.%03dZ" % (R.randint(1, 12), R.randint(1, 28), R.randint(0, 23),
                                                    R.randint(0, 59), R.randint(0, 59), R.randint(0, 999))


def env_fill(n):
    return R.sample(ENV_FILL, n)


# ---------------------------------------------------------------- renderers
# A case is a dict: family, label, kind, key (space-separated words), value, and
# optionally section (provider word used to nest YAML/JSON), header (curl header
# template with {v}), styles (allowed wrappers), ref (value is a variable
# reference, rendered unquoted in code), or text/name/written for a case that
# builds its own file.

def code_lit(c, style):
    v = c["value"]
    if not c.get("ref"):
        return '"' + v + '"' if style != "js" or R.random() < 0.5 else "'" + v + "'"
    env = upper_snake(c["key"])
    return {"python": 'os.environ["%s"]' % env, "js": "process.env." + env, "go": 'os.Getenv("%s")' % env,
            "java": 'System.getenv("%s")' % env}[style]


def written(c, style):
    if c.get("ref") and style in ("python", "js", "go", "java"):
        return code_lit(c, style)
    if style == "json":
        return json.dumps(c["value"])[1:-1]
    return c["value"]


def split_section(c):
    """('datadog', 'api key') when the key starts with its section's words."""
    sec = c.get("section")
    ws = words(c["key"])
    if sec and ws[0].lower() == sec and len(ws) > 1 and R.random() < 0.5:
        return sec, " ".join(ws[1:])
    return None, c["key"]


def r_env(c):
    v = c["value"]
    val = '"' + v + '"' if R.random() < 0.3 and not c.get("raw") else v
    lines = env_fill(R.randint(1, 4)) + [upper_snake(c["key"]) + "=" + val] + env_fill(R.randint(0, 3))
    return pick(".env", ".env.production", "prod.env", "app.env", ".env.local"), "\n".join(lines) + "\n"


def r_shell(c):
    v = c["value"]
    lines = ["#!/usr/bin/env bash", "set -euo pipefail", ""]
    lines += ["export " + e for e in env_fill(R.randint(0, 2)) if not e.startswith("#")]
    lines += ["export %s=\"%s\"" % (upper_snake(c["key"]), v), "", "exec ./bin/server --config /etc/app/config.yaml"]
    return pick("deploy.sh", "start.sh", "env.sh", "run-job.sh"), "\n".join(lines) + "\n"


def r_yaml(c):
    val = c["value"]
    if not c.get("raw") and (R.random() < 0.4 or val[:1] in "*!&{[%@`|>'\"#" or ": " in val or " #" in val):
        val = '"' + val + '"'
    sec, k = split_section(c)
    lines = ["# application settings", "service:", "  name: " + pick("billing-api", "orders", "ingest-worker"),
             "  replicas: %d" % R.randint(1, 6)]
    if sec:
        lines += [sec + ":", "  " + lower_snake(k) + ": " + val, "  timeout: 30"]
    else:
        lines += [pick("credentials", "settings", "integrations", "app") + ":", "  " + (lower_snake(k) if R.random() < 0.7 else camel(k)) + ": " + val]
    lines += ["logging:", "  level: info"]
    return pick("config.yaml", "values.yaml", "application.yml", "settings.yml"), "\n".join(lines) + "\n"


def r_compose(c):
    v = c["value"]
    lines = ["services:", "  app:", "    image: registry.%s/app:1.%d.%d" % (pick(*HOSTS), R.randint(0, 9), R.randint(0, 20)),
             "    environment:", "      - LOG_LEVEL=info", "      - %s=%s" % (upper_snake(c["key"]), v),
             "    ports:", '      - "8080:8080"']
    return "docker-compose.yml", "\n".join(lines) + "\n"


def r_json(c):
    sec, k = split_section(c)
    kk = camel(k) if R.random() < 0.6 else lower_snake(k)
    inner = {kk: c["value"], "timeoutMs": 3000}
    obj = {"service": pick("billing", "search", "notifications"), "region": "eu-west-1"}
    obj[sec or pick("credentials", "settings", "integrations")] = inner
    obj["logging"] = {"level": "info"}
    return pick("config.json", "appsettings.json", "settings.json", "secrets.json"), json.dumps(obj, indent=2) + "\n"


def r_python(c):
    name = upper_snake(c["key"]) if R.random() < 0.6 else lower_snake(c["key"])
    lines = ["import os", "", "import requests", "", "TIMEOUT = 30",
             "%s = %s" % (name, code_lit(c, "python")), "", "",
             "def client():", "    session = requests.Session()", "    session.headers[\"User-Agent\"] = \"ingest/1.4\"",
             "    return session"]
    return pick("settings.py", "config.py", "client.py"), "\n".join(lines) + "\n"


def r_js(c):
    lit = code_lit(c, "js")
    if R.random() < 0.5:
        lines = ["'use strict';", "", "const axios = require('axios');", "",
                 "const %s = %s;" % (camel(c["key"]), lit), "", "module.exports = { timeout: 5000 };"]
    else:
        lines = ["module.exports = {", "  port: 8080,", "  %s: %s," % (camel(c["key"]), lit), "  retries: 3,", "};"]
    return pick("config.js", "index.js", "client.ts"), "\n".join(lines) + "\n"


def r_go(c):
    lines = ["package config", "", 'import "os"', "", "var _ = os.Getenv", "",
             "%s %s = %s" % (pick("const", "var") if not c.get("ref") else "var", pascal(c["key"]), code_lit(c, "go")),
             "", "func Timeout() int { return 30 }"]
    return pick("config.go", "main.go", "client.go"), "\n".join(lines) + "\n"


def r_java(c):
    lines = ["package com.acme.billing;", "", "public final class AppConfig {",
             "    private static final int TIMEOUT = 30;",
             "    private static final String %s = %s;" % (upper_snake(c["key"]), code_lit(c, "java")),
             "", "    private AppConfig() {}", "}"]
    return pick("AppConfig.java", "Settings.java"), "\n".join(lines) + "\n"


def r_xml(c):
    v = c["value"]
    if R.random() < 0.5:
        lines = ['<?xml version="1.0" encoding="utf-8"?>', "<configuration>", "  <appSettings>",
                 '    <add key="Environment" value="Production" />',
                 '    <add key="%s" value="%s" />' % (pascal(c["key"]), v), "  </appSettings>", "</configuration>"]
        return pick("web.config", "app.config"), "\n".join(lines) + "\n"
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<settings>", "  <timeout>30</timeout>",
             "  <%s>%s</%s>" % (camel(c["key"]), v, camel(c["key"])), "</settings>"]
    return pick("settings.xml", "config.xml"), "\n".join(lines) + "\n"


def r_properties(c):
    k = dotted(c["key"]) if R.random() < 0.6 else upper_snake(c["key"])
    lines = ["server.port=8080", "spring.application.name=billing", k + "=" + c["value"], "logging.level.root=INFO"]
    return pick("application.properties", "gradle.properties"), "\n".join(lines) + "\n"


def r_toml(c):
    sec, k = split_section(c)
    lines = ["[server]", "port = 8080", "", "[" + (sec or pick("credentials", "settings", "integrations")) + "]",
             '%s = "%s"' % (lower_snake(k), c["value"]), ""]
    return pick("config.toml", "settings.toml"), "\n".join(lines)


def r_log(c):
    lines = [ts() + " " + x for x in R.sample(LOG_FILL, R.randint(1, 3))]
    lines.append("%s INFO  [client] configured outbound client %s=%s" % (ts(), lower_snake(c["key"]), c["value"]))
    lines += [ts() + " " + x for x in R.sample(LOG_FILL, R.randint(0, 2))]
    return pick("app.log", "server.log", "worker.log"), "\n".join(lines) + "\n"


def r_jenkins(c):
    v = c["value"]
    if c.get("password"):
        body = ["        <com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl>",
                "          <scope>GLOBAL</scope>", "          <id>%s</id>" % kebab(c["key"]),
                "          <description>deploy account</description>",
                "          <username>%s</username>" % pick("deploy", "svc-ci", "jenkins"),
                "          <password>%s</password>" % v,
                "        </com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl>"]
    else:
        body = ["        <org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl>",
                "          <scope>GLOBAL</scope>", "          <id>%s</id>" % kebab(c["key"]),
                "          <description>%s</description>" % " ".join(words(c["key"])),
                "          <secret>%s</secret>" % v,
                "        </org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl>"]
    lines = ["<?xml version='1.1' encoding='UTF-8'?>",
             "<com.cloudbees.plugins.credentials.SystemCredentialsProvider plugin=\"credentials@1337.v60b_d7b_c7b_c9f\">",
             "  <domainCredentialsMap class=\"hudson.util.CopyOnWriteMap$Hash\">", "    <entry>",
             "      <com.cloudbees.plugins.credentials.domains.Domain>", "        <specifications/>",
             "      </com.cloudbees.plugins.credentials.domains.Domain>",
             "      <java.util.concurrent.CopyOnWriteArrayList>"] + body + [
             "      </java.util.concurrent.CopyOnWriteArrayList>", "    </entry>", "  </domainCredentialsMap>",
             "</com.cloudbees.plugins.credentials.SystemCredentialsProvider>"]
    return "credentials.xml", "\n".join(lines) + "\n"


def r_curl(c):
    host = c.get("host") or "api.%s.com" % (c.get("section") or pick("acme", "vendor"))
    lines = ["#!/bin/sh", "set -eu", "", 'curl -sS -X GET "https://%s/v1/%s" \\' % (host, pick("me", "projects", "events")),
             '  -H "%s" \\' % c["header"].format(v=c["value"]), '  -H "Accept: application/json"']
    return pick("call-api.sh", "smoke.sh", "sync.sh"), "\n".join(lines) + "\n"


RENDER = {"env": r_env, "shell": r_shell, "yaml": r_yaml, "compose": r_compose, "json": r_json,
          "python": r_python, "js": r_js, "go": r_go, "java": r_java, "xml": r_xml, "properties": r_properties,
          "toml": r_toml, "log": r_log, "jenkins": r_jenkins, "curl": r_curl}
DEFAULT_STYLES = ["env", "shell", "yaml", "compose", "json", "python", "js", "go", "java", "xml",
                  "properties", "toml", "log", "jenkins"]


def render(c):
    if "text" in c:
        return c["name"], c["text"], c.get("written", c.get("value")), c.get("style", "file")
    styles = c.get("styles") or DEFAULT_STYLES + (["curl"] * 3 if c.get("header") else [])
    if c.get("ref"):
        styles = [s for s in styles if s not in ("curl", "log", "jenkins")] or ["env"]
    if c["label"] == "negative":
        # a value stored as a Jenkins credential is a secret by construction
        styles = [s for s in styles if s != "jenkins"] or ["env"]
    st = R.choice(styles)
    name, text = RENDER[st](c)
    return name, text, written(c, st), st


# ---------------------------------------------------------------- case helpers

def P(kind, key, value, **kw):
    d = {"kind": kind, "key": key, "value": value}
    d.update(kw)
    return d


def ref(kind, key, **kw):
    return P(kind, key, "${" + upper_snake(key) + "}", ref=True, **kw)


def T(kind, name, text, written, **kw):
    d = {"kind": kind, "name": name, "text": text, "written": written}
    d.update(kw)
    return d


NPM_PKGS = ["express", "lodash", "axios", "react", "webpack", "typescript", "jest", "eslint", "chalk", "commander"]


def lock_negative(pkgs, family_word):
    """A hash in a lockfile / pinned reference: not a secret."""
    which = R.randrange(7)
    pkg = R.choice(pkgs)
    ver = "%d.%d.%d" % (R.randint(0, 9), R.randint(0, 30), R.randint(0, 20))
    if which == 0:
        integ = "sha512-" + b64(rbytes(64))
        obj = {"name": "app", "lockfileVersion": 3, "packages": {"node_modules/" + pkg: {
            "version": ver, "resolved": "https://registry.npmjs.org/%s/-/%s-%s.tgz" % (pkg, pkg.split("/")[-1], ver),
            "integrity": integ}}}
        return T("lockfile-integrity", "package-lock.json", json.dumps(obj, indent=2) + "\n", integ)
    if which == 1:
        h = rnd(HEX, 40)
        integ = "sha512-" + b64(rbytes(64))
        text = '"%s@^%s":\n  version "%s"\n  resolved "https://registry.yarnpkg.com/%s/-/%s-%s.tgz#%s"\n  integrity %s\n' % (
            pkg, ver, ver, pkg, pkg.split("/")[-1], ver, h, integ)
        return T("lockfile-yarn", "yarn.lock", text, h)
    if which == 2:
        h = rnd(HEX, 64)
        text = '[[package]]\nname = "%s"\nversion = "%s"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "%s"\n' % (
            pkg.replace("@", "").replace("/", "-"), ver, h)
        return T("lockfile-cargo", "Cargo.lock", text, h)
    if which == 3:
        h = "h1:" + b64(rbytes(32))
        text = "github.com/%s/%s v%s %s\ngithub.com/%s/%s v%s/go.mod h1:%s\n" % (
            family_word, pkg.replace("@", "").replace("/", "-"), ver, h, family_word,
            pkg.replace("@", "").replace("/", "-"), ver, b64(rbytes(32)))
        return T("lockfile-gosum", "go.sum", text, h)
    if which == 4:
        h = rnd(HEX, 64)
        obj = {"default": {pkg.replace("@", "").replace("/", "-"): {"hashes": ["sha256:" + h, "sha256:" + rnd(HEX, 64)],
                                                                 "version": "==" + ver}}}
        return T("lockfile-pipfile", "Pipfile.lock", json.dumps(obj, indent=4) + "\n", "sha256:" + h)
    if which == 5:
        h = rnd(HEX, 40)
        text = "name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@%s # v4\n      - run: make build\n" % h
        return T("pinned-action-sha", "ci.yml", text, h)
    h = rnd(HEX, 64)
    text = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/%s/app@sha256:%s\n" % (
        family_word, h)
    return T("image-digest", "deployment.yaml", text, h)


def commit_sha_negative():
    h = rnd(HEX, 40)
    which = R.randrange(3)
    if which == 0:
        text = "commit %s\nAuthor: Dana Ortiz <dana@%s>\nDate:   Tue Mar 5 10:22:41 2024 +0100\n\n    fix retry loop in uploader\n" % (
            h, pick(*HOSTS))
        return T("git-commit-sha", "CHANGES.txt", text, h)
    if which == 1:
        return P("git-commit-sha", pick("git sha", "build commit", "source revision", "commit sha"), h)
    return P("git-commit-sha", "release revision", h[:R.choice([7, 8, 12])])


def uuid_negative():
    return P("uuid-id", pick("request id", "tenant id", "correlation id", "workspace id", "dashboard uid",
                             "object id", "trace id", "device id"), uid())


# ---------------------------------------------------------------- families
# Each family: (positive makers, negative makers); a maker returns a case.

def fam_aws():
    def cred_file(pos):
        kid = "AKIA" + rnd(B32, 16) if pos else pick("AKIA" + "X" * 16, "<access-key-id>", "${AWS_ACCESS_KEY_ID}")
        sk = rnd(B64, 40) if pos else pick("<secret-access-key>", "${AWS_SECRET_ACCESS_KEY}", "x" * 40)
        text = "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\nregion = %s\n" % (
            kid, sk, pick("us-east-1", "eu-west-1", "ap-southeast-2"))
        return T("credentials-file" if pos else "placeholder", "credentials", text,
                 "aws_access_key_id = %s\naws_secret_access_key = %s" % (kid, sk), secret=sk)

    def bedrock():
        inner = "BedrockAPIKey-%s-at-%s:%s" % (rnd(LOALNUM, 4), digits(12), b64(rbytes(R.randint(60, 120))))
        return P("bedrock-api-key", "aws bearer token bedrock", "ABSK" + b64(inner.encode()))

    pos = [
        lambda: P("access-key-id", pick("aws access key id", "aws access key", "access key id"),
                  pick("AKIA", "AKIA", "ASIA") + rnd(B32, 16), section="aws"),
        lambda: P("secret-access-key", pick("aws secret access key", "aws secret key", "secret access key"),
                  rnd(B64, 40), section="aws"),
        lambda: cred_file(True),
        lambda: P("session-token", "aws session token", b64(rbytes(R.randint(230, 300))), section="aws"),
        lambda: P("appsync-api-key", pick("appsync api key", "graphql api key"), "da2-" + rnd(LOALNUM, 26)),
        bedrock,
        lambda: P("mws-auth-token", "mws auth token", "amzn.mws." + uid()),
    ]
    neg = [
        lambda: P("wrong-length", "aws access key id", "AKIA" + rnd(B32, off_len(16)), section="aws"),
        lambda: P("wrong-alphabet", "aws access key id", "AKIA" + rnd(LO, 4) + rnd(B32 + LO, 12), section="aws"),
        lambda: P("doc-sample", "aws access key id", "AKIAIOSFODNN7" + "EXAMPLE", section="aws"),
        lambda: P("doc-sample", "aws secret access key", "wJalrXUtnFEMI/K7" + "MDENG/bPxRfiCY" + "EXAMPLEKEY", section="aws"),
        lambda: P("placeholder", "aws access key id", placeholder("AKIA", 16, "access key id"), section="aws"),
        lambda: P("placeholder", "aws secret access key", placeholder("", 40, "secret access key"), section="aws"),
        lambda: ref("env-reference", "aws secret access key"),
        lambda: cred_file(False),
        lambda: P("account-id", "aws account id", digits(12)),
        lambda: P("arn", pick("role arn", "deploy role arn"), "arn:aws:iam::%s:role/%s" % (digits(12), pick("deploy", "ci-runner", "readonly"))),
        lambda: P("wrong-length", "aws secret access key", rnd(B64, off_len(40)), section="aws"),
        lambda: P("kms-key-id", "kms key id", uid()),
        lambda: P("request-id", "amz request id", rnd(HEXU, 16)),
        lambda: lock_negative(["@aws-sdk/client-s3", "aws-sdk", "@aws-cdk/core", "aws-lambda"], "aws"),
        commit_sha_negative,
    ]
    return pos, neg


def fam_gcp():
    def sa_json(pos):
        key = pem("PRIVATE KEY", pkcs8_body()) if pos else pick("", "<PRIVATE_KEY>", "${GCP_PRIVATE_KEY}")
        proj = pick("billing", "analytics", "ml-infra") + "-" + digits(6)
        obj = {"type": "service_account", "project_id": proj, "private_key_id": rnd(HEX, 40) if pos else "",
               "private_key": key, "client_email": "deployer@%s.iam.gserviceaccount.com" % proj,
               "client_id": digits(21), "auth_uri": "https://accounts.google.com/o/oauth2/auth",
               "token_uri": "https://oauth2.googleapis.com/token"}
        text = json.dumps(obj, indent=2) + "\n"
        return T("service-account-json" if pos else "placeholder", pick("service-account.json", "gcp-key.json", "credentials.json"), text,
                 text.rstrip("\n"), secret=json.dumps(key)[1:-1])

    pos = [
        lambda: P("api-key", pick("google api key", "maps api key", "gcp api key"), "AIza" + rnd(URL, 35), section="google"),
        lambda: P("oauth-client-secret", pick("google client secret", "oauth client secret"), "GOCSPX-" + rnd(URL, 28),
                  section="google"),
        lambda: sa_json(True),
        lambda: P("oauth-access-token", "google access token", "ya29." + rnd(URL, R.randint(150, 210)),
                  header="Authorization: Bearer {v}", host="www.googleapis.com"),
        lambda: P("oauth-refresh-token", "google refresh token", "1//0" + rnd(URL, 99), section="google"),
        lambda: P("hmac-secret", "gcs hmac secret", rnd(B64, 40)),
    ]
    neg = [
        lambda: P("wrong-length", "google api key", "AIza" + rnd(URL, off_len(35)), section="google"),
        lambda: P("placeholder", "google api key", placeholder("AIza", 35, "api key"), section="google"),
        lambda: P("wrong-length", "google client secret", "GOCSPX-" + rnd(URL, R.choice([20, 24, 26, 27])), section="google"),
        lambda: P("client-id", pick("google client id", "oauth client id"),
                  "%s-%s.apps.googleusercontent.com" % (digits(12), rnd(LOALNUM, 32))),
        lambda: P("project-id", pick("gcp project id", "google project"), pick("billing", "web", "data") + "-prod-" + digits(6)),
        lambda: P("project-number", "gcp project number", digits(12)),
        lambda: P("service-account-email", "service account",
                  "%s@%s-%s.iam.gserviceaccount.com" % (pick("deployer", "ci", "reader"), pick("web", "data"), digits(6))),
        lambda: sa_json(False),
        lambda: P("credentials-path", "google application credentials", "/var/secrets/google/key.json"),
        lambda: ref("env-reference", "google api key"),
        lambda: P("sender-id", "firebase messaging sender id", digits(12)),
        lambda: lock_negative(["google-auth-library", "@google-cloud/storage", "firebase-admin"], "googleapis"),
        uuid_negative,
    ]
    return pos, neg


def fam_azure():
    def entra():
        return rnd(ALNUM, 3) + R.choice(DIG) + "Q~" + rnd(ALNUM + "_~.-", 34)

    def storage(key, name=None):
        return "DefaultEndpointsProtocol=https;AccountName=%s;AccountKey=%s;EndpointSuffix=core.windows.net" % (
            name or (pick("st", "prod", "logs") + rnd(LOALNUM, 8)), key)

    def sas():
        return ("https://%s.blob.core.windows.net/%s?sv=2022-11-02&ss=b&srt=sco&sp=rwdlac&se=2025-%02d-01T00:00:00Z"
                "&st=2024-01-01T00:00:00Z&spr=https&sig=%s") % (
            pick("backups", "media") + rnd(LOALNUM, 6), pick("exports", "uploads"), R.randint(1, 12),
            b64(rbytes(32)).replace("+", "%2B").replace("/", "%2F").replace("=", "%3D"))

    def ado_new():
        return rnd(ALNUM, 52) + rnd(ALNUM, 24) + "AZDO" + rnd(ALNUM, 4)

    azurite = ("Eby8vdM02xNOcqFlqU" + "wJPLlmEtlCDXJ1OU" + "zFT50uSRZ6IFsuFq2U" + "VErCz4I6tq/K1SZF" +
               "PTOtr/KBHBeksoGMGw==")  # the published Azurite development key
    pos = [
        lambda: P("entra-client-secret", pick("azure client secret", "arm client secret", "aad client secret"), entra(),
                  section="azure"),
        lambda: P("storage-connection-string", pick("azure storage connection string", "storage connection string"),
                  storage(b64(rbytes(64)))),
        lambda: P("sas-url", pick("backup sas url", "blob sas url"), sas()),
        lambda: P("service-bus-connection-string", "service bus connection string",
                  "Endpoint=sb://%s.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=%s" % (
                      pick("orders", "events") + rnd(LOALNUM, 5), b64(rbytes(32)))),
        lambda: P("app-config-connection-string", "app configuration connection string",
                  "Endpoint=https://%s.azconfig.io;Id=%s;Secret=%s" % (pick("appcs-prod", "cfg") + rnd(LOALNUM, 4),
                                                                      rnd(ALNUM, 4) + "-l0-s0:" + rnd(ALNUM, 20), b64(rbytes(32)))),
        lambda: P("cosmos-connection-string", "cosmos connection string",
                  "AccountEndpoint=https://%s.documents.azure.com:443/;AccountKey=%s;" % (pick("orders", "catalog") + rnd(LOALNUM, 5),
                                                                                        b64(rbytes(64)))),
        lambda: P("devops-pat", pick("azure devops pat", "ado pat", "azure devops token"), ado_new(), section="azure",
                  header="Authorization: Basic {v}", host="dev.azure.com"),
        lambda: P("devops-pat-legacy", pick("azure devops pat", "ado pat"), rnd("abcdefghijklmnopqrstuvwxyz234567", 52),
                  section="azure"),
        lambda: P("openai-key", "azure openai api key", rnd(HEX, 32), section="azure"),
    ]
    neg = [
        lambda: P("tenant-id", pick("azure tenant id", "arm tenant id"), uid()),
        lambda: P("client-id", pick("azure client id", "arm client id", "app registration client id"), uid()),
        lambda: P("subscription-id", "azure subscription id", uid()),
        lambda: P("dev-storage", "storage connection string", "UseDevelopmentStorage=true"),
        lambda: P("doc-sample", "storage connection string", storage(azurite, "devstoreaccount1")),
        lambda: P("placeholder", "storage connection string", storage(pick("<account-key>", "${STORAGE_KEY}", "{key}"))),
        lambda: P("sas-no-signature", "blob url", "https://%s.blob.core.windows.net/%s/report.csv" % (
            pick("backups", "media") + rnd(LOALNUM, 6), pick("exports", "uploads"))),
        lambda: P("secret-id", pick("azure client secret id", "client secret key id"), uid()),
        lambda: P("placeholder", "azure client secret", placeholder("", 40, "client secret"), section="azure"),
        lambda: P("resource-id", "resource id", "/subscriptions/%s/resourceGroups/rg-%s/providers/Microsoft.Web/sites/app-%s" % (
            uid(), pick("prod", "shared"), rnd(LOALNUM, 6))),
        lambda: P("instrumentation-key", "appinsights instrumentation key", uid()),
        lambda: ref("env-reference", "azure client secret"),
        lambda: lock_negative(["@azure/identity", "@azure/storage-blob", "@azure/msal-node"], "azure"),
    ]
    return pos, neg


def gh_token(prefix):
    body = rnd(ALNUM, 30)
    return prefix + body + crc_b62(body)


def fam_github():
    def badcrc(prefix):
        body = rnd(ALNUM, 30)
        while True:
            c = rnd(ALNUM, 6)
            if c != crc_b62(body):
                return prefix + body + c

    def fine_grained():
        return "github_pat_" + rnd(ALNUM, 22) + "_" + rnd(ALNUM, 59)

    def remote():
        t = gh_token(pick("ghp_", "ghs_"))
        return P("remote-url", "git remote url", "https://x-access-token:%s@github.com/%s/%s.git" % (
            t, pick("acme", "platform-team"), pick("infra", "billing")), secret=t, styles=["env", "shell", "yaml", "json", "log"])

    hdr = {"header": "Authorization: %s {v}" % pick("token", "Bearer"), "host": "api.github.com"}
    pos = [
        lambda: P("pat-classic", pick("github token", "gh token", "github pat"), gh_token("ghp_"), section="github", **hdr),
        lambda: P("oauth-token", "github oauth token", gh_token("gho_"), section="github", **hdr),
        lambda: P("app-user-token", "github app token", gh_token("ghu_"), section="github", **hdr),
        lambda: P("app-installation-token", "github installation token", gh_token("ghs_"), section="github", **hdr),
        lambda: P("refresh-token", "github refresh token", gh_token("ghr_"), section="github"),
        lambda: P("pat-fine-grained", pick("github token", "github pat"), fine_grained(), section="github", **hdr),
        remote,
    ]
    neg = [
        lambda: P("bad-checksum", "github token", badcrc(pick("ghp_", "gho_", "ghs_")), section="github"),
        lambda: P("bad-checksum", "github token", badcrc("ghp_"), section="github"),
        lambda: P("wrong-length", "github token", pick("ghp_", "ghs_") + rnd(ALNUM, off_len(36)), section="github"),
        lambda: P("wrong-alphabet", "github token", "ghp_" + rnd(ALNUM, 12) + pick("-", ".", "+") + rnd(ALNUM, 23), section="github"),
        lambda: P("placeholder", "github token", placeholder("ghp_", 36, "github token"), section="github"),
        lambda: P("actions-expression", "github token", "${{ secrets.GITHUB_TOKEN }}", styles=["yaml", "env", "compose"]),
        lambda: ref("env-reference", "github token"),
        lambda: P("app-client-id", "github client id", "Iv1." + rnd(HEX, 16)),
        lambda: P("app-id", "github app id", digits(6)),
        lambda: P("wrong-length", "github pat", "github_pat_" + rnd(ALNUM, 22) + "_" + rnd(ALNUM, R.choice([40, 50, 56])), section="github"),
        commit_sha_negative,
        commit_sha_negative,
        lambda: lock_negative(["@octokit/rest", "@actions/core", "@actions/github"], "github"),
        uuid_negative,
    ]
    return pos, neg


def gitlab_routable(prefix, bad=False):
    payload = "c:%s\no:%s\nu:%s" % (base_n(R.randint(1, 40), "0123456789abcdefghijklmnopqrstuvwxyz", 1),
                                     base_n(R.randint(1000, 10 ** 7), "0123456789abcdefghijklmnopqrstuvwxyz", 1),
                                     base_n(R.randint(1000, 10 ** 8), "0123456789abcdefghijklmnopqrstuvwxyz", 1))
    raw = rbytes(16) + payload.encode() + bytes([len(payload)])
    enc = b64(raw, url=True, pad=False)
    head = "%s%s.01.%s" % (prefix, enc, base_n(len(enc), "0123456789abcdefghijklmnopqrstuvwxyz", 2))
    crc = base_n(zlib.crc32(head.encode()), "0123456789abcdefghijklmnopqrstuvwxyz", 7)
    if bad:
        crc = base_n((zlib.crc32(head.encode()) + R.randint(1, 10 ** 6)) % 2 ** 32, "0123456789abcdefghijklmnopqrstuvwxyz", 7)
    return head + crc


def fam_gitlab():
    hdr = {"header": "PRIVATE-TOKEN: {v}", "host": "gitlab.com"}
    pos = [
        lambda: P("pat-legacy", pick("gitlab token", "gitlab pat", "gl token"), "glpat-" + rnd(URL, 20), section="gitlab", **hdr),
        lambda: P("pat-routable", pick("gitlab token", "gitlab pat"), gitlab_routable("glpat-"), section="gitlab", **hdr),
        lambda: P("pipeline-trigger-token", "gitlab trigger token", "glptt-" + rnd(HEX, 40), section="gitlab"),
        lambda: P("runner-registration-token", "runner registration token", "GR1348941" + rnd(URL, 20)),
        lambda: P("runner-auth-token", "gitlab runner token", "glrt-" + rnd(URL, 20), section="gitlab"),
        lambda: P("runner-auth-token-routable", "gitlab runner token", gitlab_routable("glrt-t%d_" % R.randint(1, 3)), section="gitlab"),
        lambda: P("deploy-token", "gitlab deploy token", "gldt-" + rnd(URL, 20), section="gitlab"),
        lambda: P("feed-token", "gitlab feed token", "glft-" + rnd(URL, 20), section="gitlab"),
        lambda: P("incoming-mail-token", "gitlab incoming email token", "glimt-" + rnd(URL, 25), section="gitlab"),
        lambda: P("agent-token", "gitlab agent token", "glagent-" + rnd(URL, 50), section="gitlab"),
        lambda: P("oauth-app-secret", "gitlab oauth secret", "gloas-" + rnd(URL, 64), section="gitlab"),
        lambda: P("feature-flag-token", "unleash instance id", "glffct-" + rnd(URL, 20)),
        lambda: P("scim-token", "gitlab scim token", "glsoat-" + rnd(URL, 20), section="gitlab"),
        lambda: P("remote-url", "git remote url", "https://oauth2:%s@gitlab.com/%s/%s.git" % (
            "glpat-" + rnd(URL, 20), pick("acme", "ops"), pick("infra", "api")), styles=["env", "shell", "yaml", "json", "log"]),
    ]
    neg = [
        lambda: P("wrong-length", "gitlab token", "glpat-" + rnd(URL, R.choice([14, 16, 17, 18, 19])), section="gitlab"),
        lambda: P("placeholder", "gitlab token", placeholder("glpat-", 20, "gitlab token"), section="gitlab"),
        lambda: P("bad-checksum", "gitlab token", gitlab_routable("glpat-", bad=True), section="gitlab"),
        lambda: P("ci-variable", "gitlab token", "$CI_JOB_TOKEN", styles=["yaml", "env", "shell"]),
        lambda: ref("env-reference", "gitlab token"),
        lambda: P("wrong-alphabet", "gitlab trigger token", "glptt-" + rnd("ghijklmnopqrstuvwxyz" + HEX, 40), section="gitlab"),
        lambda: P("wrong-length", "gitlab trigger token", "glptt-" + rnd(HEX, off_len(40)), section="gitlab"),
        lambda: P("project-id", "gitlab project id", digits(8)),
        lambda: P("placeholder", "runner registration token", "GR1348941" + pick("<token>", "_REPLACE_ME", "x" * 20)),
        lambda: P("ci-commit-sha", "ci commit sha", rnd(HEX, 40)),
        commit_sha_negative,
        lambda: P("group-path", "gitlab group", pick("acme/platform", "ops/infra", "data/pipelines")),
        uuid_negative,
    ]
    return pos, neg


def fam_slack():
    def bot():
        return "xoxb-%s-%s-%s" % (digits(R.randint(10, 13)), digits(R.randint(10, 13)), rnd(ALNUM, 24))

    def user():
        return "xoxp-%s-%s-%s-%s" % (digits(12), digits(12), digits(12), rnd(HEX, 32))

    def app():
        return "xapp-1-A%s-%s-%s" % (rnd(UPALNUM, 10), digits(13), rnd(HEX, 64))

    def hook():
        return "https://hooks.slack.com/services/T%s/B%s/%s" % (rnd(UPALNUM, 8), rnd(UPALNUM, R.randint(8, 10)), rnd(ALNUM, 24))

    hdr = {"header": "Authorization: Bearer {v}", "host": "slack.com"}
    pos = [
        lambda: P("bot-token", pick("slack bot token", "slack token"), bot(), section="slack", **hdr),
        lambda: P("user-token", pick("slack user token", "slack token"), user(), section="slack", **hdr),
        lambda: P("app-token", "slack app token", app(), section="slack"),
        lambda: P("webhook-url", pick("slack webhook url", "slack webhook", "alerts webhook"), hook(), section="slack"),
        lambda: P("config-token", "slack config token", "xoxe.xoxp-1-" + rnd(UPALNUM, 163), section="slack"),
        lambda: P("refresh-token", "slack refresh token", "xoxe-1-" + rnd(UPALNUM, 146), section="slack"),
        lambda: P("signing-secret", "slack signing secret", rnd(HEX, 32), section="slack"),
    ]
    neg = [
        lambda: P("placeholder", "slack bot token", pick("xoxb-your-token", "xoxb-" + "x" * 40, "xoxb-<token>", "xoxb-..."), section="slack"),
        lambda: P("wrong-shape", "slack bot token", "xoxb-" + rnd(ALNUM, R.choice([8, 12, 16])), section="slack"),
        lambda: P("channel-id", pick("slack channel", "slack channel id"), "C" + rnd(UPALNUM, 10)),
        lambda: P("team-id", "slack team id", "T" + rnd(UPALNUM, 10)),
        lambda: P("user-id", "slack user id", "U" + rnd(UPALNUM, 10)),
        lambda: P("client-id", "slack client id", "%s.%s" % (digits(12), digits(13))),
        lambda: P("placeholder", "slack webhook url", "https://hooks.slack.com/services/T00000000/B00000000/" + "X" * 24),
        lambda: P("placeholder", "slack webhook url", "https://hooks.slack.com/services/<team>/<channel>/<token>"),
        lambda: ref("env-reference", "slack bot token"),
        lambda: P("app-id", "slack app id", "A" + rnd(UPALNUM, 10)),
        lambda: P("message-ts", "slack thread ts", "%s.%s" % (digits(10), digits(6))),
        lambda: lock_negative(["@slack/web-api", "@slack/bolt", "slack-notify"], "slackapi"),
        uuid_negative,
    ]
    return pos, neg


def fam_payments():
    stripe_doc = "sk_" + "test_" + "4eC39HqLyjWD" + "arjtT1zdp7dc"
    pos = [
        lambda: P("stripe-secret-key", pick("stripe secret key", "stripe api key", "stripe key"),
                  "sk_live_" + pick(rnd(ALNUM, 24), "51" + rnd(ALNUM, 97)), section="stripe",
                  header="Authorization: Bearer {v}", host="api.stripe.com"),
        lambda: P("stripe-restricted-key", "stripe restricted key", "rk_live_" + pick(rnd(ALNUM, 24), "51" + rnd(ALNUM, 97)),
                  section="stripe"),
        lambda: P("stripe-webhook-secret", "stripe webhook secret", "whsec_" + rnd(ALNUM, 32), section="stripe"),
        lambda: P("shopify-access-token", pick("shopify access token", "shopify admin token"), "shpat_" + rnd(HEX, 32),
                  section="shopify", header="X-Shopify-Access-Token: {v}", host="acme-store.myshopify.com"),
        lambda: P("shopify-shared-secret", "shopify shared secret", "shpss_" + rnd(HEX, 32), section="shopify"),
        lambda: P("shopify-custom-app-token", "shopify custom app token", pick("shpca_", "shppa_") + rnd(HEX, 32), section="shopify"),
        lambda: P("square-access-token", "square access token", pick("sq0atp-" + rnd(URL, 22), "EAAA" + rnd(URL, 60)),
                  section="square", header="Authorization: Bearer {v}", host="connect.squareup.com"),
        lambda: P("square-oauth-secret", "square oauth secret", "sq0csp-" + rnd(URL, 43), section="square"),
        lambda: P("braintree-access-token", "braintree access token",
                  "access_token$production$%s$%s" % (rnd(LOALNUM, 16), rnd(HEX, 32)), section="braintree"),
        lambda: P("flutterwave-secret-key", "flutterwave secret key", "FLWSECK-" + rnd(HEX, 32) + "-X"),
        lambda: P("mollie-api-key", "mollie api key", "live_" + rnd(ALNUM, 30), section="mollie"),
        lambda: P("paypal-client-secret", "paypal client secret", rnd(URL, 80), section="paypal"),
    ]
    neg = [
        lambda: P("publishable-key", "stripe publishable key", "pk_live_" + rnd(ALNUM, 99), section="stripe"),
        lambda: P("placeholder", "stripe secret key", placeholder("sk_live_", 24, "stripe key"), section="stripe"),
        lambda: P("wrong-length", "stripe secret key", "sk_live_" + rnd(ALNUM, R.choice([6, 8, 10, 12])), section="stripe"),
        lambda: P("doc-sample", "stripe secret key", stripe_doc, section="stripe"),
        lambda: P("object-id", pick("stripe customer", "customer id"), "cus_" + rnd(ALNUM, 14)),
        lambda: P("object-id", "payment intent id", "pi_" + rnd(ALNUM, 24)),
        lambda: P("object-id", "stripe price id", "price_" + rnd(ALNUM, 24)),
        lambda: P("object-id", "stripe account id", "acct_" + rnd(ALNUM, 16)),
        lambda: P("wrong-length", "shopify access token", "shpat_" + rnd(HEX, off_len(32)), section="shopify"),
        lambda: P("wrong-alphabet", "shopify access token", "shpat_" + rnd("ghijklmnopqrstuvwxyz" + HEX, 32), section="shopify"),
        lambda: P("application-id", "square application id", "sq0idp-" + rnd(URL, 22)),
        lambda: P("location-id", "square location id", rnd(UPALNUM, 13)),
        lambda: P("api-version", "stripe api version", "2024-%02d-%02d" % (R.randint(1, 12), R.randint(1, 28))),
        lambda: ref("env-reference", "stripe secret key"),
        lambda: lock_negative(["stripe", "@stripe/stripe-js", "braintree", "@shopify/shopify-api"], "stripe"),
    ]
    return pos, neg


def fam_ai():
    marker = "T3Blbk" + "FJ"

    def openai_proj(prefix):
        n = pick(58, 74)
        return prefix + rnd(URL, n) + marker + rnd(URL, n)

    hdr = {"header": "Authorization: Bearer {v}", "host": "api.openai.com"}
    pos = [
        lambda: P("openai-project-key", pick("openai api key", "openai key"), openai_proj("sk-proj-"), section="openai", **hdr),
        lambda: P("openai-service-account-key", "openai api key", openai_proj("sk-svcacct-"), section="openai", **hdr),
        lambda: P("openai-admin-key", "openai admin key", openai_proj("sk-admin-"), section="openai"),
        lambda: P("openai-legacy-key", "openai api key", "sk-" + rnd(ALNUM, 20) + marker + rnd(ALNUM, 20), section="openai", **hdr),
        lambda: P("anthropic-api-key", pick("anthropic api key", "claude api key"), "sk-ant-api03-" + rnd(URL, 93) + "AA",
                  section="anthropic", header="x-api-key: {v}", host="api.anthropic.com"),
        lambda: P("anthropic-admin-key", "anthropic admin key", "sk-ant-admin01-" + rnd(URL, 93) + "AA", section="anthropic"),
        lambda: P("huggingface-token", pick("hf token", "huggingface token", "hugging face hub token"), "hf_" + rnd(UP + LO, 34),
                  header="Authorization: Bearer {v}", host="huggingface.co"),
        lambda: P("huggingface-org-token", "huggingface org token", "api_org_" + rnd(UP + LO, 34)),
        lambda: P("groq-api-key", "groq api key", "gsk_" + rnd(ALNUM, 52), section="groq"),
        lambda: P("xai-api-key", "xai api key", "xai-" + rnd(ALNUM, 80), section="xai"),
        lambda: P("perplexity-api-key", "perplexity api key", "pplx-" + rnd(ALNUM, 48), section="perplexity"),
        lambda: P("replicate-token", "replicate api token", "r8_" + rnd(ALNUM, 37), section="replicate"),
        lambda: P("cohere-api-key", "cohere api key", rnd(ALNUM, 40), section="cohere"),
        lambda: P("mistral-api-key", "mistral api key", rnd(ALNUM, 32), section="mistral"),
        lambda: P("deepseek-api-key", "deepseek api key", "sk-" + rnd(HEX, 32), section="deepseek"),
    ]
    neg = [
        lambda: P("placeholder", "openai api key", placeholder("sk-", 48, "openai key"), section="openai"),
        lambda: P("truncated-doc", "openai api key", pick("sk-proj-...", "sk-...", "sk-proj-" + rnd(ALNUM, 4) + "..."), section="openai"),
        lambda: P("org-id", pick("openai organization", "openai org id"), "org-" + rnd(ALNUM, 24)),
        lambda: P("project-id", "openai project id", "proj_" + rnd(ALNUM, 24)),
        lambda: P("object-id", pick("assistant id", "vector store id", "file id"), pick("asst_", "vs_", "file-") + rnd(ALNUM, 24)),
        lambda: P("model-name", pick("openai model", "anthropic model", "llm model"),
                  pick("gpt-4o-mini", "gpt-4.1", "claude-3-5-sonnet-20241022", "claude-sonnet-4-20250514", "mistral-large-latest")),
        lambda: P("message-id", "anthropic message id", "msg_01" + rnd(ALNUM, 22)),
        lambda: P("wrong-alphabet", "hf token", "hf_" + rnd(DIG, 4) + rnd(ALNUM, 30)),
        lambda: P("wrong-length", "hf token", "hf_" + rnd(UP + LO, R.choice([20, 24, 30]))),
        lambda: P("model-revision", "model revision", rnd(HEX, 40)),
        lambda: P("wrong-length", "anthropic api key", "sk-ant-api03-" + rnd(URL, R.choice([10, 20, 40])), section="anthropic"),
        lambda: ref("env-reference", "openai api key"),
        lambda: P("completion-id", "completion id", "chatcmpl-" + rnd(ALNUM, 29)),
        lambda: lock_negative(["openai", "@anthropic-ai/sdk", "langchain", "@huggingface/inference"], "openai"),
    ]
    return pos, neg


def fam_messaging():
    def discord_bot():
        return "%s.%s.%s" % (b64(digits(18).encode(), url=True, pad=False), rnd(URL, 6), rnd(URL, 38))

    pos = [
        lambda: P("telegram-bot-token", pick("telegram bot token", "telegram token", "bot token"),
                  "%s:AA%s" % (digits(R.randint(9, 10)), rnd(URL, 33)), section="telegram"),
        lambda: P("sendgrid-api-key", pick("sendgrid api key", "sendgrid key", "smtp api key"), "SG.%s.%s" % (rnd(URL, 22), rnd(URL, 43)),
                  section="sendgrid", header="Authorization: Bearer {v}", host="api.sendgrid.com"),
        lambda: P("twilio-auth-token", "twilio auth token", rnd(HEX, 32), section="twilio"),
        lambda: P("twilio-api-key", "twilio api key", "SK" + rnd(HEX, 32), section="twilio"),
        lambda: P("mailgun-api-key", "mailgun api key", pick("key-" + rnd(LOALNUM, 32), "%s-%s-%s" % (rnd(HEX, 32), rnd(HEX, 8), rnd(HEX, 8))),
                  section="mailgun"),
        lambda: P("mailchimp-api-key", pick("mailchimp api key", "mailchimp key"), "%s-us%d" % (rnd(HEX, 32), R.randint(1, 21)),
                  section="mailchimp"),
        lambda: P("postmark-server-token", "postmark server token", uid(), section="postmark",
                  header="X-Postmark-Server-Token: {v}", host="api.postmarkapp.com"),
        lambda: P("discord-bot-token", pick("discord bot token", "discord token"), discord_bot(), section="discord",
                  header="Authorization: Bot {v}", host="discord.com"),
        lambda: P("discord-webhook", "discord webhook url", "https://discord.com/api/webhooks/%s/%s" % (digits(19), rnd(URL, 68))),
        lambda: P("teams-webhook", pick("teams webhook url", "teams webhook"),
                  "https://%s.webhook.office.com/webhookb2/%s@%s/IncomingWebhook/%s/%s" % (
                      pick("acme", "contoso") + rnd(LOALNUM, 4), uid(), uid(), rnd(HEX, 32), uid())),
        lambda: P("brevo-api-key", pick("brevo api key", "sendinblue api key"), "xkeysib-%s-%s" % (rnd(HEX, 64), rnd(ALNUM, 16))),
        lambda: P("mailjet-secret", "mailjet api secret", rnd(HEX, 32), section="mailjet"),
    ]
    neg = [
        lambda: P("account-sid", pick("twilio account sid", "twilio sid"), "AC" + rnd(HEX, 32)),
        lambda: P("service-sid", "twilio messaging service sid", "MG" + rnd(HEX, 32)),
        lambda: P("chat-id", "telegram chat id", "-100" + digits(10)),
        lambda: P("wrong-shape", "telegram bot token", "%s:%s" % (digits(9), rnd(URL, R.choice([20, 25, 30]))), section="telegram"),
        lambda: P("placeholder", "sendgrid api key", placeholder("SG.", 20, "sendgrid api key"), section="sendgrid"),
        lambda: P("wrong-length", "sendgrid api key", "SG.%s.%s" % (rnd(URL, off_len(22)), rnd(URL, R.choice([30, 38, 40]))), section="sendgrid"),
        lambda: P("domain", "mailgun domain", "mg.%s.com" % pick("acme", "shop", "news")),
        lambda: P("list-id", pick("mailchimp list id", "mailchimp audience id"), rnd(HEX, 10)),
        lambda: P("server-prefix", "mailchimp server prefix", "us%d" % R.randint(1, 21)),
        lambda: P("snowflake-id", pick("discord channel id", "discord guild id"), digits(18)),
        lambda: P("placeholder", "discord webhook url", "https://discord.com/api/webhooks/<id>/<token>"),
        lambda: P("wrong-length", "mailgun api key", "key-" + rnd(LOALNUM, R.choice([16, 24, 28])), section="mailgun"),
        lambda: ref("env-reference", "twilio auth token"),
        lambda: P("sender", "smtp from", "no-reply@%s.com" % pick("acme", "shop")),
        lambda: lock_negative(["twilio", "@sendgrid/mail", "nodemailer", "discord.js", "telegraf"], "twilio"),
    ]
    return pos, neg


def fam_observability():
    def glc():
        obj = {"o": digits(6), "n": pick("stack", "ci") + "-" + digits(6) + "-hm-read", "k": rnd(ALNUM, 24), "m": {"r": pick("us", "eu", "prod-eu-west-2")}}
        return "glc_" + b64(json.dumps(obj, separators=(",", ":")).encode(), pad=True)

    def sntrys():
        obj = {"iat": R.randint(1700000000, 1730000000) + 0.5, "url": "https://sentry.io", "region_url": "https://us.sentry.io",
               "org": pick("acme", "platform")}
        return "sntrys_" + b64(json.dumps(obj, separators=(",", ":")).encode(), pad=False) + "_" + rnd(B64, 43)

    def elastic():
        return b64(("%s:%s" % (rnd(URL, 20), rnd(URL, 22))).encode())

    pos = [
        lambda: P("datadog-api-key", pick("datadog api key", "dd api key"), rnd(HEX, 32), section="datadog",
                  header="DD-API-KEY: {v}", host="api.datadoghq.com"),
        lambda: P("datadog-app-key", pick("datadog app key", "dd app key", "datadog application key"), rnd(HEX, 40), section="datadog"),
        lambda: P("newrelic-user-key", pick("new relic api key", "newrelic api key"), "NRAK-" + rnd(UPALNUM, 27),
                  header="Api-Key: {v}", host="api.newrelic.com"),
        lambda: P("newrelic-license-key", pick("new relic license key", "newrelic license key"), rnd(HEX, 36) + "NRAL"),
        lambda: P("newrelic-insert-key", "new relic insert key", "NRII-" + rnd(URL, 32)),
        lambda: P("grafana-service-account", pick("grafana token", "grafana api key"), "glsa_%s_%s" % (rnd(ALNUM, 32), rnd(HEX, 8)),
                  section="grafana", header="Authorization: Bearer {v}", host="grafana.acme.net"),
        lambda: P("grafana-cloud-token", "grafana cloud token", glc(), section="grafana"),
        lambda: P("sentry-user-token", pick("sentry auth token", "sentry token"), "sntryu_" + rnd(HEX, 64), section="sentry"),
        lambda: P("sentry-org-token", "sentry auth token", sntrys(), section="sentry"),
        lambda: P("dynatrace-token", pick("dynatrace api token", "dt api token"), "dt0c01.%s.%s" % (rnd(UPALNUM, 24), rnd(UPALNUM, 64)),
                  header="Authorization: Api-Token {v}", host="abc12345.live.dynatrace.com"),
        lambda: P("splunk-hec-token", "splunk hec token", uid(), section="splunk", header="Authorization: Splunk {v}",
                  host="http-inputs-acme.splunkcloud.com"),
        lambda: P("pagerduty-routing-key", "pagerduty routing key", rnd(LOALNUM, 32), section="pagerduty"),
        lambda: P("elastic-api-key", "elastic api key", elastic(), header="Authorization: ApiKey {v}", host="es.acme.net:9243"),
        lambda: P("honeycomb-api-key", "honeycomb api key", rnd(ALNUM, 22), section="honeycomb", header="X-Honeycomb-Team: {v}",
                  host="api.honeycomb.io"),
    ]
    neg = [
        lambda: P("sentry-dsn", pick("sentry dsn", "dsn"), "https://%s@o%s.ingest.sentry.io/%s" % (rnd(HEX, 32), digits(6), digits(7))),
        lambda: P("trace-id", pick("traceparent", "trace context"), "00-%s-%s-01" % (rnd(HEX, 32), rnd(HEX, 16))),
        lambda: P("trace-id", "trace id", rnd(HEX, 32)),
        lambda: P("config", "datadog site", pick("datadoghq.com", "datadoghq.eu", "us5.datadoghq.com")),
        lambda: P("placeholder", "datadog api key", placeholder("", 32, "datadog api key"), section="datadog"),
        lambda: P("account-id", "new relic account id", digits(7)),
        lambda: P("wrong-length", "new relic api key", "NRAK-" + rnd(UPALNUM, R.choice([20, 24, 26])), section="newrelic"),
        lambda: P("dashboard-uid", "grafana dashboard uid", rnd(ALNUM, 9)),
        lambda: P("placeholder", "dynatrace api token", "dt0c01." + "X" * 24 + "." + "X" * 64),
        lambda: P("wrong-shape", "grafana token", "glsa_" + rnd(ALNUM, R.choice([16, 24])), section="grafana"),
        lambda: P("span-id", "span id", rnd(HEX, 16)),
        lambda: ref("env-reference", "datadog api key"),
        lambda: P("org-slug", "sentry org", pick("acme", "platform-team", "mobile")),
        lambda: lock_negative(["dd-trace", "@sentry/node", "newrelic", "@opentelemetry/api"], "datadog"),
    ]
    return pos, neg


def fam_cicd():
    def tfc():
        return "%s.atlasv1.%s" % (rnd(ALNUM, 14), rnd(ALNUM, 67))

    def atlassian():
        return "ATATT3xFfGF0" + rnd(URL, 170) + "=" + rnd(HEXU, 8)

    def onepassword():
        obj = {"signInAddress": "my.1password.com", "userAuth": {"method": "SRPg-4096", "alg": "PBES2g-HS256", "iterations": 650000,
                                                                "salt": rnd(URL, 22)},
               "email": rnd(LOALNUM, 13) + "@1passwordserviceaccounts.com", "srpX": rnd(HEX, 64),
               "muk": {"alg": "A256GCM", "ext": True, "k": rnd(URL, 43), "key_ops": ["encrypt", "decrypt"], "kty": "oct", "kid": "mp"},
               "secretKey": "A3-" + rnd(UPALNUM, 6) + "-" + rnd(UPALNUM, 11) + "-" + rnd(UPALNUM, 5) + "-" + rnd(UPALNUM, 5) + "-" + rnd(UPALNUM, 5),
               "throttleSecret": {"seed": rnd(HEX, 64), "deviceUuid": rnd(LOALNUM, 26)}, "deviceUuid": rnd(LOALNUM, 26)}
        return "ops_" + b64(json.dumps(obj, separators=(",", ":")).encode(), pad=False)

    pos = [
        lambda: P("vault-service-token", pick("vault token", "vault root token"), "hvs." + rnd(ALNUM, R.choice([24, 90, 95])),
                  section="vault", header="X-Vault-Token: {v}", host="vault.acme.net:8200"),
        lambda: P("vault-batch-token", "vault token", "hvb." + rnd(URL, 138), section="vault"),
        lambda: P("doppler-token", pick("doppler token", "doppler service token"), pick("dp.pt.", "dp.st.prd.", "dp.ct.", "dp.sa.") + rnd(ALNUM, 43),
                  section="doppler"),
        lambda: P("pulumi-token", pick("pulumi access token", "pulumi token"), "pul-" + rnd(HEX, 40), section="pulumi"),
        lambda: P("terraform-cloud-token", pick("tfe token", "terraform token", "atlas token"), tfc(), section="terraform"),
        lambda: P("digitalocean-token", pick("digitalocean token", "do token"), pick("dop_v1_", "doo_v1_", "dor_v1_") + rnd(HEX, 64),
                  header="Authorization: Bearer {v}", host="api.digitalocean.com"),
        lambda: P("atlassian-api-token", pick("jira api token", "atlassian api token", "confluence token"), atlassian()),
        lambda: P("buildkite-token", "buildkite api token", "bkua_" + rnd(HEX, 40), section="buildkite"),
        lambda: P("heroku-api-key", pick("heroku api key", "heroku token"), "HRKU-AA" + rnd(URL, 58), section="heroku"),
        lambda: P("linear-api-key", "linear api key", "lin_api_" + rnd(ALNUM, 40), section="linear"),
        lambda: P("sonarqube-token", pick("sonar token", "sonarqube token"), pick("squ_", "sqp_", "sqa_") + rnd(HEX, 40), section="sonar"),
        lambda: P("circleci-token", pick("circleci token", "circle token"), "CCIPAT_%s_%s" % (rnd(ALNUM, 22), rnd(HEX, 40)),
                  section="circleci", header="Circle-Token: {v}", host="circleci.com"),
        lambda: P("okta-api-token", "okta api token", "00" + rnd(URL, 40), section="okta", header="Authorization: SSWS {v}",
                  host="acme.okta.com"),
        lambda: P("jenkins-api-token", "jenkins api token", "11" + rnd(HEX, 32), section="jenkins"),
        lambda: P("onepassword-service-account", "op service account token", onepassword()),
        lambda: P("codecov-token", "codecov token", uid(), section="codecov"),
    ]
    neg = [
        lambda: P("placeholder", "vault token", placeholder("hvs.", 24, "vault token"), section="vault"),
        lambda: P("actions-expression", pick("vault token", "codecov token", "sonar token"),
                  "${{ secrets.%s }}" % pick("VAULT_TOKEN", "CODECOV_TOKEN", "SONAR_TOKEN"), styles=["yaml", "compose"]),
        lambda: P("vault-address", "vault addr", "https://vault.%s:8200" % pick(*HOSTS)),
        lambda: P("vault-accessor", "vault token accessor", rnd(ALNUM, 24)),
        lambda: P("workspace-id", "tfe workspace id", "ws-" + rnd(ALNUM, 16)),
        lambda: P("wrong-length", "pulumi access token", "pul-" + rnd(HEX, off_len(40)), section="pulumi"),
        lambda: P("stack-ref", "pulumi stack", "%s/%s/prod" % (pick("acme", "platform"), pick("network", "billing"))),
        lambda: P("wrong-length", "doppler token", "dp.pt." + rnd(ALNUM, R.choice([10, 16, 20])), section="doppler"),
        lambda: P("project-slug", "circleci project slug", "gh/%s/%s" % (pick("acme", "platform"), pick("api", "web"))),
        lambda: P("build-number", "jenkins build number", str(R.randint(10, 9999))),
        lambda: P("azure-pipelines-var", "vault token", "$(VAULT_TOKEN)", styles=["yaml"]),
        lambda: ref("env-reference", "vault token"),
        lambda: P("project-key", "sonar project key", "%s_%s" % (pick("acme", "platform"), pick("api", "web"))),
        lambda: lock_negative(["@pulumi/pulumi", "node-vault", "@actions/cache", "terraform-aws-modules/vpc"], "hashicorp"),
        commit_sha_negative,
    ]
    return pos, neg


def fam_registries():
    def npmrc(tok, kind="npmrc"):
        text = "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=%s\nalways-auth=true\n" % tok
        return T(kind, ".npmrc", text, tok)

    def pypirc():
        tok = "pypi-AgEIcHlwaS5vcmc" + rnd(URL, R.randint(150, 190))
        text = "[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nusername = __token__\npassword = %s\n" % tok
        return T("pypi-token", ".pypirc", text, tok)

    def docker_config(pos):
        auth = b64(("%s:%s" % (pick("ci-bot", "deploy", "acme"), rnd(ALNUM, 20))).encode()) if pos else ""
        obj = {"auths": {"https://index.docker.io/v1/": {"auth": auth}} if pos else {}, "credsStore": "" if pos else "desktop"}
        if not pos and R.random() < 0.5:
            obj = {"auths": {"ghcr.io": {}}, "credHelpers": {"gcr.io": "gcloud"}}
        text = json.dumps(obj, indent=2) + "\n"
        return T("docker-config" if pos else "docker-config-helper", "config.json", text, auth if pos else text.strip())

    def cargo_creds():
        tok = "cio" + rnd(ALNUM, 32)
        return T("crates-token", "credentials.toml", '[registry]\ntoken = "%s"\n' % tok, tok)

    def gem_creds():
        tok = "rubygems_" + rnd(HEX, 48)
        return T("rubygems-key", "credentials", "---\n:rubygems_api_key: %s\n" % tok, tok)

    def jfrog_ref():
        inner = "reftkn:01:%s:%s" % (digits(10), rnd(ALNUM, 27))
        return b64(inner.encode(), pad=False)

    def badnpm():
        body = rnd(ALNUM, 30)
        while True:
            c = rnd(ALNUM, 6)
            if c != crc_b62(body):
                return "npm_" + body + c

    pos = [
        lambda: P("npm-token", pick("npm token", "node auth token"), gh_token("npm_"), section="npm"),
        lambda: npmrc(gh_token("npm_")),
        lambda: npmrc(uid()),
        lambda: P("pypi-token", pick("pypi token", "twine password", "pypi api token"), "pypi-AgEIcHlwaS5vcmc" + rnd(URL, R.randint(150, 190))),
        pypirc,
        lambda: P("rubygems-key", pick("gem host api key", "rubygems api key"), "rubygems_" + rnd(HEX, 48)),
        gem_creds,
        lambda: P("crates-token", pick("cargo registry token", "crates io token"), "cio" + rnd(ALNUM, 32)),
        cargo_creds,
        lambda: P("dockerhub-pat", pick("docker hub token", "dockerhub token", "docker password"), "dckr_pat_" + rnd(URL, 27)),
        lambda: docker_config(True),
        lambda: P("jfrog-reference-token", pick("artifactory token", "jfrog access token"), jfrog_ref(),
                  header="Authorization: Bearer {v}", host="acme.jfrog.io"),
        lambda: P("nuget-api-key", "nuget api key", "oy2" + rnd(LOALNUM, 43), section="nuget"),
    ]
    neg = [
        lambda: P("bad-checksum", "npm token", badnpm(), section="npm"),
        lambda: P("wrong-length", "npm token", "npm_" + rnd(ALNUM, off_len(36)), section="npm"),
        lambda: npmrc("${NPM_TOKEN}", "env-reference"),
        lambda: lock_negative(NPM_PKGS, "npm"),
        lambda: lock_negative(NPM_PKGS, "npm"),
        lambda: lock_negative(["requests", "urllib3", "numpy", "serde", "tokio"], "pypa"),
        lambda: P("placeholder", "pypi token", placeholder("pypi-", 20, "pypi token")),
        lambda: P("wrong-length", "rubygems api key", "rubygems_" + rnd(HEX, off_len(48))),
        lambda: docker_config(False),
        lambda: P("registry-url", "npm registry", "https://npm.pkg.github.com/"),
        lambda: P("placeholder", "docker hub token", placeholder("dckr_pat_", 27, "docker token")),
        lambda: P("package-version", "package version", "%d.%d.%d" % (R.randint(0, 9), R.randint(0, 30), R.randint(0, 20))),
        lambda: ref("env-reference", "npm token"),
        lambda: P("image-digest", "base image", "docker.io/library/%s@sha256:%s" % (pick("node", "python", "alpine"), rnd(HEX, 64))),
    ]
    return pos, neg


def password():
    k = R.randrange(4)
    if k == 0:
        return rnd(PWCHARS, R.randint(14, 24))
    if k == 1:
        return rnd(ALNUM, R.randint(16, 32))
    word = pick("Harbor", "Copper", "Falcon", "Meadow", "Orbit", "Juniper", "Granite", "Lantern", "Saffron", "Tundra")
    if k == 2:
        return word + rnd(DIG, 4) + pick("!", "#", "%", "*") + rnd(ALNUM, 3)
    return "-".join(pick("river", "stone", "maple", "quartz", "ember", "violet", "cobalt", "willow") for _ in range(3)) + "-" + rnd(DIG, 2)


def url_password():
    return rnd(ALNUM + "-_.~", R.randint(14, 28))


def fam_databases():
    def user():
        return pick("app", "svc_billing", "admin", "reporting", "etl_user", "webapp", "api_rw", "orders")

    def host():
        return pick("%s.%s" % (pick(*HOST_NAMES), pick(*HOSTS)), "%s.%s.eu-west-1.rds.amazonaws.com" % (pick(*HOST_NAMES), rnd(LOALNUM, 12)))

    def uri(scheme, port, db, pw):
        return "%s://%s:%s@%s:%d/%s" % (scheme, user(), pw, host(), port, db)

    def conn(kind, value, key, pw):
        return P(kind, key, value, secret=pw)

    def mk(kind, fn, key):
        def f():
            pw = url_password()
            return conn(kind, fn(pw), pick(*key) if isinstance(key, tuple) else key, pw)
        return f

    pos = [
        mk("postgres-uri", lambda pw: uri(pick("postgres", "postgresql"), 5432, pick("app", "orders"), pw), ("database url", "db url", "postgres url")),
        mk("mysql-uri", lambda pw: uri("mysql", 3306, pick("shop", "wp"), pw), ("database url", "mysql url")),
        mk("mongodb-uri", lambda pw: "mongodb+srv://%s:%s@cluster0.%s.mongodb.net/%s?retryWrites=true&w=majority" % (user(), pw, rnd(LOALNUM, 5), pick("app", "events")),
           ("mongodb uri", "mongo url")),
        mk("mongodb-uri", lambda pw: "mongodb://%s:%s@%s:27017/%s?authSource=admin" % (user(), pw, host(), pick("app", "events")), "mongo url"),
        mk("redis-uri", lambda pw: "%s://%s:%s@%s:6379/0" % (pick("redis", "rediss"), pick("default", ""), pw, host()), ("redis url", "cache url")),
        mk("amqp-uri", lambda pw: "amqp://%s:%s@%s:5672/%s" % (user(), pw, host(), pick("prod", "%2F")), ("amqp url", "broker url")),
        mk("jdbc-url", lambda pw: "jdbc:%s://%s/%s?user=%s&password=%s" % (pick("mysql", "postgresql"), host(), pick("app", "shop"), user(), pw),
           ("jdbc url", "datasource url")),
        mk("ado-connection-string", lambda pw: "Server=tcp:%s.database.windows.net,1433;Initial Catalog=%s;User ID=%s;Password=%s;Encrypt=True;" % (
            pick("sql-prod", "acme-db") + rnd(LOALNUM, 4), pick("Orders", "Billing"), user(), pw), ("connection string", "sql connection string")),
        mk("odbc-connection-string", lambda pw: "Driver={ODBC Driver 18 for SQL Server};Server=%s;Database=%s;Uid=%s;Pwd=%s;" % (
            host(), pick("orders", "hr"), user(), pw), "odbc connection string"),
        mk("sqlalchemy-uri", lambda pw: "%s://%s:%s@%s/%s" % (pick("postgresql+psycopg2", "mysql+pymysql", "mssql+pyodbc"), user(), pw, host(),
                                                              pick("app", "analytics")), ("sqlalchemy database uri", "database uri")),
        mk("mssql-uri", lambda pw: "sqlserver://%s:%s@%s:1433?database=%s" % (user(), pw, host(), pick("orders", "crm")), "database url"),
        mk("clickhouse-uri", lambda pw: "clickhouse://%s:%s@%s:9000/%s" % (user(), pw, host(), pick("events", "logs")), "clickhouse url"),
    ]
    neg_pw = lambda: pick("${DB_PASSWORD}", "<password>", "$(DB_PASS)", "{password}", "%s", "****", "changeme", "password")
    neg = [
        lambda: P("placeholder-password", "database url", "postgres://%s:%s@%s:5432/app" % (user(), neg_pw(), host())),
        lambda: P("placeholder-password", "mongo url", "mongodb+srv://<username>:<password>@cluster0.%s.mongodb.net/" % rnd(LOALNUM, 5)),
        lambda: P("local-default", "database url", pick("postgres://postgres:postgres@localhost:5432/app_dev",
                                                        "mysql://root:root@127.0.0.1:3306/dev", "postgresql://user:password@localhost/mydb")),
        lambda: P("no-credentials", pick("database url", "db url"), "postgres://%s:5432/app" % host()),
        lambda: P("no-credentials", "redis url", "redis://%s:6379/0" % pick("redis", "localhost", "cache")),
        lambda: P("no-password", "database url", "mysql://%s@%s/shop" % (user(), host())),
        lambda: P("masked", "database url", "postgresql://%s:***@%s/app" % (user(), host())),
        lambda: P("integrated-security", "connection string", "Server=%s;Database=Orders;Integrated Security=true;TrustServerCertificate=true;" % host()),
        lambda: P("jdbc-no-credentials", "jdbc url", "jdbc:postgresql://%s:5432/app?sslmode=require" % host()),
        lambda: P("env-var-password", "connection string", "Server=%s;Database=Orders;User ID=%s;Password=${SQL_PASSWORD};" % (host(), user())),
        lambda: P("no-credentials", "mongo url", "mongodb://localhost:27017/app"),
        lambda: P("format-string", "dsn template", "postgres://{user}:{password}@{host}:{port}/{db}"),
        lambda: P("empty-password", "connection string", "Server=%s;Database=hr;Uid=%s;Pwd=;" % (host(), user())),
        lambda: ref("env-reference", "database url"),
    ]
    return pos, neg


# ---------------------------------------------------------------- keys

def pem(kind, body_bytes, width=64):
    b = base64.b64encode(body_bytes).decode()
    lines = [b[i:i + width] for i in range(0, len(b), width)]
    return "\n".join([DASH5 + "BEGIN " + kind + DASH5] + lines + [DASH5 + "END " + kind + DASH5])


def rsa_body():
    return bytes([0x30, 0x82, 0x04, 0xa4, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01, 0x00]) + rbytes(1180)


def pkcs8_body():
    return bytes([0x30, 0x82, 0x04, 0xbe, 0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
                  0x01, 0x01, 0x05, 0x00, 0x04, 0x82, 0x04, 0xa8]) + rbytes(1180)


def ec_body():
    return bytes([0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20]) + rbytes(32) + bytes(
        [0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0xa1, 0x44, 0x03, 0x42, 0x00, 0x04]) + rbytes(64)


def openssh_body():
    pub = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + rbytes(32)
    return (b"openssh-key-v1\x00" + b"\x00\x00\x00\x04none" * 2 + b"\x00\x00\x00\x00\x00\x00\x00\x01" +
            len(pub).to_bytes(4, "big") + pub + b"\x00\x00\x00\x90" + rbytes(144))


def pgp_block():
    body = base64.b64encode(b"\x95\x03\x98\x04" + rbytes(700)).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "\n".join([DASH5 + "BEGIN PGP PRIVATE KEY BLOCK" + DASH5, ""] + lines + ["=" + rnd(B64, 4),
                                                                                    DASH5 + "END PGP PRIVATE KEY BLOCK" + DASH5])


def fam_keys():
    def key_text():
        k = R.randrange(4)
        if k == 0:
            return "rsa", pem("RSA PRIVATE KEY", rsa_body())
        if k == 1:
            return "pkcs8", pem("PRIVATE KEY", pkcs8_body())
        if k == 2:
            return "ec", pem("EC PRIVATE KEY", ec_body())
        return "openssh", pem("OPENSSH PRIVATE KEY", openssh_body(), 70)

    def raw_file():
        kind, k = key_text()
        name = {"rsa": "id_rsa", "pkcs8": "server.key", "ec": "tls.key", "openssh": "id_ed25519"}[kind]
        return T("pem-" + kind, name, k + "\n", k)

    def yaml_block():
        kind, k = key_text()
        ind = "\n".join("    " + l for l in k.split("\n"))
        text = "tls:\n  enabled: true\n  private_key: |\n%s\n  cert_file: /etc/ssl/certs/server.crt\n" % ind
        return T("pem-" + kind + "-yaml", pick("values.yaml", "config.yaml"), text, ind.lstrip(" "))

    def json_escaped():
        kind, k = key_text()
        esc = k.replace("\n", "\\n") + "\\n"
        text = '{\n  "name": "signer",\n  "algorithm": "RS256",\n  "private_key": "%s"\n}\n' % esc
        return T("pem-" + kind + "-json", pick("signing.json", "keys.json"), text, esc)

    def python_str():
        kind, k = key_text()
        text = 'import jwt\n\nSIGNING_KEY = """%s"""\n\n\ndef sign(claims):\n    return jwt.encode(claims, SIGNING_KEY, algorithm="RS256")\n' % k
        return T("pem-" + kind + "-python", "signer.py", text, k)

    def env_escaped():
        kind, k = key_text()
        esc = k.replace("\n", "\\n")
        text = 'APP_ENV=production\nJWT_PRIVATE_KEY="%s"\nPORT=8080\n' % esc
        return T("pem-" + kind + "-env", ".env", text, esc)

    def k8s_b64():
        kind, k = key_text()
        enc = base64.b64encode((k + "\n").encode()).decode()
        text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ingress-tls\ntype: kubernetes.io/tls\ndata:\n  tls.crt: %s\n  tls.key: %s\n" % (
            base64.b64encode(b"-----BEGIN CERTIFICATE-----\n" + rbytes(30)).decode()[:60], enc)
        return T("pem-base64-k8s", "secret.yaml", text, enc)

    def terraform():
        kind, k = key_text()
        text = 'resource "tls_locally_signed_cert" "svc" {\n  ca_private_key_pem = <<EOT\n%s\nEOT\n  validity_period_hours = 8760\n}\n' % k
        return T("pem-" + kind + "-terraform", "main.tf", text, k)

    def pgp():
        k = pgp_block()
        return T("pgp-private-key", pick("private.asc", "signing-key.asc"), k + "\n", k)

    def putty():
        pub = b64(b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + rbytes(32))
        priv = b64(b"\x00\x00\x00\x20" + rbytes(32))
        text = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: eddsa-key-2024%02d%02d\nPublic-Lines: 2\n%s\n%s\nPrivate-Lines: 1\n%s\nPrivate-MAC: %s\n" % (
            R.randint(1, 12), R.randint(1, 28), pub[:64], pub[64:], priv, rnd(HEX, 64))
        return T("putty-private-key", "deploy.ppk", text, text.rstrip("\n"), secret=priv)

    def age():
        k = "AGE-SECRET-KEY-1" + rnd(BECH32, 58).upper()
        text = "# created: 2024-%02d-%02dT10:00:00Z\n# public key: age1%s\n%s\n" % (R.randint(1, 12), R.randint(1, 28), rnd(BECH32, 58), k)
        return T("age-secret-key", "keys.txt", text, k)

    pos = [raw_file, raw_file, yaml_block, json_escaped, python_str, env_escaped, k8s_b64, terraform, pgp, putty, age]

    def public(kind):
        k = pem(kind, rbytes(R.choice([294, 550, 800])))
        return T("pem-" + kind.lower().replace(" ", "-"), pick("server.crt", "ca.pem", "pubkey.pem", "request.csr"), k + "\n", k)

    def ssh_pub():
        k = "ssh-ed25519 " + b64(b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + rbytes(32)) + " deploy@" + pick("build-01", "laptop")
        if R.random() < 0.5:
            k = "ssh-rsa " + b64(b"\x00\x00\x00\x07ssh-rsa\x00\x00\x00\x03\x01\x00\x01\x00\x00\x01\x01\x00" + rbytes(256)) + " ci@runner"
        return T("ssh-public-key", pick("id_ed25519.pub", "authorized_keys"), k + "\n", k)

    def placeholder_pem():
        kind = pick("RSA PRIVATE KEY", "PRIVATE KEY", "OPENSSH PRIVATE KEY")
        body = pick("...", "<your private key here>", "MIIE...", "${PRIVATE_KEY}", "(paste the key here)")
        k = "\n".join([DASH5 + "BEGIN " + kind + DASH5, body, DASH5 + "END " + kind + DASH5])
        return T("pem-placeholder", pick("README.txt", "key.pem.template"), "Put your key in key.pem:\n\n" + k + "\n", k)

    def code_header():
        line = 'if text.startswith("%sBEGIN %s%s"):' % (DASH5, pick("RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY"), DASH5)
        text = "def is_pem(text):\n    %s\n        return True\n    return False\n" % line
        return T("pem-header-in-code", "pemutil.py", text, line)

    def age_public():
        k = "age1" + rnd(BECH32, 58)
        return P("age-recipient", "sops age recipient", k)

    def key_path():
        return P("key-path", pick("private key path", "ssh key file", "tls key file"), pick("~/.ssh/id_rsa", "/etc/ssl/private/server.key", "./secrets/key.pem"))

    def encrypted_pkcs8_placeholder():
        k = "\n".join([DASH5 + "BEGIN PRIVATE KEY" + DASH5, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC...", DASH5 + "END PRIVATE KEY" + DASH5])
        return T("pem-truncated", "docs.txt", "Example key format:\n" + k + "\n", k)

    def pgp_public():
        body = base64.b64encode(b"\x99\x01\x8d\x04" + rbytes(400)).decode()
        lines = [body[i:i + 64] for i in range(0, len(body), 64)]
        k = "\n".join([DASH5 + "BEGIN PGP PUBLIC KEY BLOCK" + DASH5, ""] + lines + ["=" + rnd(B64, 4), DASH5 + "END PGP PUBLIC KEY BLOCK" + DASH5])
        return T("pgp-public-key", "release-key.asc", k + "\n", k)

    def known_hosts():
        k = "github.com ssh-ed25519 " + b64(b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + rbytes(32))
        return T("known-hosts", "known_hosts", k + "\n", k)

    neg = [lambda: public("PUBLIC KEY"), lambda: public("CERTIFICATE"), lambda: public("CERTIFICATE REQUEST"), ssh_pub, placeholder_pem,
           code_header, age_public, key_path, encrypted_pkcs8_placeholder, pgp_public, known_hosts,
           lambda: P("placeholder", "age secret key", "AGE-SECRET-KEY-1" + pick("...", "X" * 58, "<key>")),
           lambda: P("wrong-length", "age secret key", "AGE-SECRET-KEY-1" + rnd(BECH32, R.choice([20, 40, 50])).upper())]
    return pos, neg


# ---------------------------------------------------------------- password hashes

def fam_hashes():
    def bcrypt():
        return "$%s$%02d$%s" % (pick("2a", "2b", "2y"), pick(10, 11, 12, 13), rnd(CRYPT, 53))

    def sha512crypt():
        return "$6$%s$%s" % (rnd(CRYPT, 16), rnd(CRYPT, 86))

    def sha256crypt():
        return "$5$%s$%s" % (rnd(CRYPT, 16), rnd(CRYPT, 43))

    def md5crypt():
        return "$1$%s$%s" % (rnd(CRYPT, 8), rnd(CRYPT, 22))

    def yescrypt():
        return "$y$j9T$%s$%s" % (rnd(CRYPT, 22), rnd(CRYPT, 43))

    def argon2():
        return "$argon2id$v=19$m=65536,t=3,p=4$%s$%s" % (b64(rbytes(16), pad=False), b64(rbytes(32), pad=False))

    def apr1():
        return "$apr1$%s$%s" % (rnd(CRYPT, 8), rnd(CRYPT, 22))

    def django():
        return "pbkdf2_sha256$%d$%s$%s" % (pick(600000, 720000, 870000), rnd(ALNUM, 22), b64(rbytes(32)))

    def ssha():
        return "{SSHA}" + b64(rbytes(28))

    def scram():
        return "SCRAM-SHA-256$4096:%s$%s:%s" % (b64(rbytes(16)), b64(rbytes(32)), b64(rbytes(32)))

    user = lambda: pick("root", "admin", "deploy", "alice", "bob", "svc-backup", "ops")

    def shadow(h):
        text = "daemon:*:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n%s:%s:19%03d:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n" % (
            user(), h, R.randint(100, 999))
        return T("shadow", "shadow", text, h)

    def htpasswd(h):
        text = "%s:%s\n%s:%s\n" % (user(), h, pick("metrics", "grafana"), apr1())
        return T("htpasswd", ".htpasswd", text, h)

    def sql(h):
        text = "INSERT INTO users (email, password_hash, role) VALUES\n  ('%s@acme.io', '%s', 'admin');\n" % (user(), h)
        return T("sql-seed", "seed.sql", text, h)

    def django_fixture(h):
        obj = [{"model": "auth.user", "pk": 1, "fields": {"username": user(), "password": h, "is_superuser": True}}]
        text = json.dumps(obj, indent=2) + "\n"
        return T("django-fixture", "users.json", text, h)

    def cloud_init(h):
        text = "#cloud-config\nusers:\n  - name: %s\n    passwd: %s\n    lock_passwd: false\n    sudo: ALL=(ALL) NOPASSWD:ALL\n" % (user(), h)
        return T("cloud-init", "user-data", text, h)

    def ansible(h):
        text = "---\n- name: create user\n  ansible.builtin.user:\n    name: %s\n    password: \"%s\"\n" % (user(), h)
        return T("ansible", "users.yml", text, h)

    def pg_authid():
        h = "md5" + rnd(HEX, 32)
        text = "-- roles\nCREATE ROLE app LOGIN PASSWORD '%s';\n" % h
        return T("postgres-md5", "roles.sql", text, h)

    def mysql_native():
        h = "*" + rnd(HEXU, 40)
        text = "CREATE USER 'app'@'%%' IDENTIFIED WITH mysql_native_password AS '%s';\n" % h
        return T("mysql-native", "users.sql", text, h)

    def ldif():
        h = ssha()
        text = "dn: uid=%s,ou=people,dc=acme,dc=io\nobjectClass: inetOrgPerson\nuid: %s\nuserPassword: %s\n" % (user(), user(), h)
        return T("ldap-ssha", "users.ldif", text, h)

    def scram_sql():
        h = scram()
        text = "ALTER ROLE reporting PASSWORD '%s';\n" % h
        return T("postgres-scram", "roles.sql", text, h)

    wrappers = [shadow, htpasswd, sql, django_fixture, cloud_init, ansible]
    gens = [bcrypt, sha512crypt, sha256crypt, md5crypt, yescrypt, argon2, django]

    def combo():
        g = R.choice(gens)
        w = R.choice(wrappers)
        if w is htpasswd and g not in (bcrypt, md5crypt):
            g = bcrypt
        if w is django_fixture:
            g = pick(django, argon2, bcrypt)
        if w in (shadow, cloud_init) and g in (django, argon2):
            g = pick(sha512crypt, yescrypt)
        c = w(g())
        c["kind"] = c["kind"] + "-" + g.__name__
        return c

    pos = [combo, combo, combo, combo, combo, pg_authid, mysql_native, ldif, scram_sql, lambda: htpasswd(apr1())]

    def locked():
        text = "root:%s:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n%s:!!:19000::::::\n" % (pick("*", "!", "!*", "!locked"), user())
        return T("locked-shadow", "shadow", text, text.strip())

    def checksums():
        h = rnd(HEX, 64)
        text = "%s  app-%d.%d.%d-linux-amd64.tar.gz\n%s  app-%d.%d.%d-darwin-arm64.tar.gz\n" % (
            h, 1, R.randint(0, 9), R.randint(0, 9), rnd(HEX, 64), 1, R.randint(0, 9), R.randint(0, 9))
        return T("sha256sums", "SHA256SUMS", text, h)

    def truncated():
        h = pick("$2b$12$", "$6$", "$argon2id$v=19$m=65536,t=3,p=4$") + rnd(CRYPT, R.choice([10, 15, 20]))
        return P("truncated-hash", "password hash", h, styles=["yaml", "json", "env"])

    def php():
        text = "<?php\n$hash = password_hash($password, PASSWORD_BCRYPT, ['cost' => 12]);\nif (password_verify($input, $hash)) {\n    login();\n}\n"
        return T("hash-code", "auth.php", text, "password_hash($password, PASSWORD_BCRYPT")

    def django_settings():
        text = 'PASSWORD_HASHERS = [\n    "django.contrib.auth.hashers.Argon2PasswordHasher",\n    "django.contrib.auth.hashers.PBKDF2PasswordHasher",\n]\n'
        return T("hasher-config", "settings.py", text, text.strip())

    neg = [
        locked, checksums, truncated, php, django_settings,
        lambda: P("cost-config", "bcrypt rounds", str(pick(10, 12, 14))),
        lambda: P("placeholder", "password hash", pick("<bcrypt hash>", "$2b$12$...", "{SSHA}...", "HASH_GOES_HERE")),
        lambda: P("file-checksum", pick("md5", "checksum", "sha1"), pick(rnd(HEX, 32), rnd(HEX, 40))),
        lambda: P("hash-algorithm", "password hash algorithm", pick("argon2id", "bcrypt", "pbkdf2_sha256", "scrypt")),
        lambda: P("doc-format", "crypt format", pick("$6$<salt>$<hash>", "$2b$<cost>$<salt+hash>", "$argon2id$v=19$m=...,t=...,p=...$<salt>$<hash>")),
        commit_sha_negative,
        lambda: lock_negative(["bcrypt", "argon2", "bcryptjs", "passlib"], "hashes"),
    ]
    return pos, neg


# ---------------------------------------------------------------- generic passwords

def fam_passwords():
    keys = ["password", "db password", "database password", "smtp password", "admin password", "redis password", "ldap bind password",
            "keystore password", "mysql root password", "postgres password", "rabbitmq password", "mail password", "passwd", "pwd"]

    def kv():
        return P("password-kv", pick(*keys), password(), password=True)

    def netrc():
        pw = password()
        return T("netrc", ".netrc", "machine %s\n  login %s\n  password %s\n" % (pick("api.acme.io", "git.acme.io"), pick("deploy", "ci"), pw), pw)

    def pgpass():
        pw = password()
        return T("pgpass", ".pgpass", "%s:5432:%s:%s:%s\n" % (pick(*HOST_NAMES), pick("app", "*"), pick("app", "report"), pw), pw)

    def mysql_cli():
        pw = url_password()
        text = "#!/bin/sh\nset -e\nmysqldump -h %s -u %s -p'%s' %s > /backup/dump.sql\n" % (pick(*HOST_NAMES), pick("root", "backup"), pw, pick("shop", "wp"))
        return T("cli-password", "backup.sh", text, pw)

    def docker_login():
        pw = url_password()
        text = "#!/bin/sh\ndocker login -u %s -p %s registry.%s\ndocker push registry.%s/app:latest\n" % (pick("ci", "deploy"), pw, HOSTS[2], HOSTS[2])
        return T("cli-password", "publish.sh", text, pw)

    def curl_basic():
        pw = url_password()
        text = '#!/bin/sh\ncurl -fsS -u %s:%s "https://%s/api/v1/export" -o export.json\n' % (pick("admin", "svc"), pw, pick("jenkins.acme.io", "nexus.acme.io"))
        return T("curl-basic-auth", "export.sh", text, pw)

    def requests_auth():
        pw = password()
        text = 'import requests\n\nresp = requests.get(\n    "https://nexus.acme.io/service/rest/v1/components",\n    auth=("%s", "%s"),\n    timeout=30,\n)\n' % (pick("svc", "admin"), pw)
        return T("code-basic-auth", "fetch.py", text, pw)

    def k8s():
        pw = password()
        text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\ntype: Opaque\nstringData:\n  username: app\n  password: \"%s\"\n" % pw
        return T("k8s-stringdata", "secret.yaml", text, pw)

    def secret_key():
        return P("framework-secret-key", pick("secret key", "django secret key", "session secret", "app secret"), rnd(ALNUM + "!@%^*(-_=+)", 50))

    def client_secret():
        return P("client-secret", pick("client secret", "oauth client secret", "api secret"), rnd(ALNUM, R.choice([32, 40])))

    def spring():
        pw = password()
        text = "spring.datasource.url=jdbc:postgresql://%s:5432/app\nspring.datasource.username=app\nspring.datasource.password=%s\n" % (pick(*HOST_NAMES), pw)
        return T("spring-properties", "application.properties", text, pw)

    pos = [kv, kv, kv, kv, netrc, pgpass, mysql_cli, docker_login, curl_basic, requests_auth, k8s, secret_key, client_secret, spring]

    def i18n():
        text = json.dumps({"login": {"username": "Nom d'utilisateur", "password": pick("Mot de passe", "Passwort", "Password"),
                                     "forgot": "Forgot password?"}}, indent=2, ensure_ascii=False) + "\n"
        return T("i18n-label", pick("fr.json", "de.json", "en.json"), text, text.strip())

    def form():
        text = '<form method="post">\n  <label for="password">Password</label>\n  <input type="password" name="password" id="password" minlength="12">\n</form>\n'
        return T("html-form", "login.html", text, text.strip())

    def getpass():
        text = "import getpass\n\npassword = getpass.getpass(\"Password: \")\nconfirm = getpass.getpass(\"Repeat password: \")\n"
        return T("prompt", "cli.py", text, text.strip())

    def vault_enc():
        text = "db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  %s\n  %s\n" % (rnd(DIG + "abcdef", 64), rnd(DIG + "abcdef", 64))
        return T("ansible-vault", "vars.yml", text, text.strip())

    neg = [
        lambda: ref("env-reference", pick(*keys)),
        lambda: ref("env-reference", "db password"),
        lambda: P("empty", pick(*keys), pick('""', "''", "null", "~"), raw=True, styles=["env", "yaml", "properties"]),
        lambda: P("placeholder", pick(*keys), pick("changeme", "password", "your_password_here", "<password>", "********", "REPLACE_ME",
                                                   "secret", "admin", "P@ssw0rd", "TODO")),
        lambda: P("template", pick(*keys), pick("{{ vault_db_password }}", "{{ .Values.db.password }}", "%(db_password)s", "#{DB_PASSWORD}")),
        lambda: P("policy-setting", pick("password min length", "password expiry days", "password max attempts"), str(R.randint(3, 90))),
        lambda: P("field-name", pick("password field", "password param", "password column"), pick("password", "user_password", "passwd")),
        lambda: P("url-path", pick("forgot password url", "reset password path"), pick("/account/reset", "/auth/forgot-password")),
        lambda: P("encrypted", pick(*keys), "ENC(" + b64(rbytes(24)) + ")"),
        i18n, form, getpass, vault_enc,
        lambda: P("boolean", pick("password auth enabled", "require password"), pick("true", "false")),
        lambda: P("hash-algorithm", "password encoder", pick("bcrypt", "argon2", "pbkdf2")),
    ]
    return pos, neg


# ---------------------------------------------------------------- keyword + value long tail

LONGTAIL = ["algolia", "mixpanel", "amplitude", "segment", "contentful", "asana", "bitly", "clickup", "coinbase", "fastly",
            "freshdesk", "intercom", "klaviyo", "onesignal", "opsgenie", "plaid", "rollbar", "sendbird", "snyk", "sumologic",
            "trello", "twitch", "typeform", "vonage", "zendesk", "cloudflare", "openweather", "ipinfo", "etherscan", "infura",
            "alchemy", "bugsnag", "loggly", "uptimerobot", "browserstack", "saucelabs", "lokalise", "crowdin", "deepl", "hunter",
            "clearbit", "pipedrive", "mapquest", "newsapi", "pinata", "moralis", "hubspot", "zoom", "airtable", "calendly"]


def fam_longtail():
    shapes = [lambda: rnd(HEX, 32), uid, lambda: rnd(ALNUM, 40), lambda: rnd(HEX, 40), lambda: rnd(HEX, 64), lambda: rnd(ALNUM, 32)]
    secret_kinds = ["api key", "api secret", "secret key", "access token", "auth token", "api token", "secret"]
    id_kinds = ["client id", "app id", "account id", "project id", "org id", "workspace id", "user id", "site id", "tenant id", "webhook id"]

    def pos_case():
        p = R.choice(LONGTAIL)
        kind = R.choice(secret_kinds)
        shape = R.randrange(len(shapes))
        hdr = pick("X-%s-Api-Key: {v}" % p.capitalize(), "Authorization: Bearer {v}", "X-Api-Key: {v}")
        return P("%s-%d" % (kind.replace(" ", "-"), shape), p + " " + kind, shapes[shape](), section=p, header=hdr, host="api.%s.com" % p)

    def id_case():
        p = R.choice(LONGTAIL)
        shape = R.randrange(len(shapes))
        return P("id-%d" % shape, p + " " + R.choice(id_kinds), shapes[shape](), section=p)

    def misc_case():
        p = R.choice(LONGTAIL)
        k = R.randrange(5)
        if k == 0:
            return P("placeholder", p + " api key", placeholder("", 32, p + " api key"), section=p)
        if k == 1:
            return ref("env-reference", p + " api key", section=p)
        if k == 2:
            return P("url", p + " api url", "https://api.%s.com/v%d" % (p, R.randint(1, 3)), section=p)
        if k == 3:
            return P("header-name", p + " api key header", "X-%s-Api-Key" % p.capitalize(), section=p)
        return P("sdk-checksum", p + " sdk sha256", rnd(HEX, 64), section=p)

    pos = [pos_case]
    neg = [id_case, id_case, misc_case, misc_case, uuid_negative, commit_sha_negative,
           lambda: lock_negative(["algoliasearch", "mixpanel", "@segment/analytics-node", "contentful", "zendesk"], "vendor")]
    return pos, neg


# ---------------------------------------------------------------- jwt

def jwt(alg="HS256", claims=None):
    header = {"alg": alg, "typ": "JWT"}
    now = R.randint(1700000000, 1735000000)
    payload = claims or {"sub": str(R.randint(1000, 999999)), "iss": pick("https://auth.acme.io/", "billing-api", "https://login.acme.net"),
                         "aud": pick("api", "web", "mobile"), "iat": now, "exp": now + pick(900, 3600, 86400),
                         "scope": pick("read write", "admin", "orders:read")}
    sig = rbytes(32 if alg.startswith("HS") else 256)
    return "%s.%s.%s" % (b64_json(header), b64_json(payload), b64(sig, url=True, pad=False))


def fam_jwt():
    def supabase():
        now = R.randint(1700000000, 1735000000)
        return jwt("HS256", {"iss": "supabase", "ref": rnd(LO, 20), "role": "service_role", "iat": now, "exp": now + 315360000})

    def cookie():
        t = jwt()
        text = "%s INFO  [auth] set-cookie: session=%s; Path=/; HttpOnly; Secure\n" % (ts(), t)
        return T("cookie-log", "access.log", text, t)

    hdr = {"header": "Authorization: Bearer {v}", "host": "api.acme.io"}
    pos = [
        lambda: P("hs256", pick("access token", "jwt", "auth token", "id token"), jwt("HS256"), **hdr),
        lambda: P("rs256", pick("access token", "jwt", "bearer token"), jwt("RS256"), **hdr),
        lambda: P("supabase-service-role", pick("supabase service role key", "supabase key"), supabase(), section="supabase"),
        cookie,
    ]

    def jwtio_doc():
        return "%s.%s.%s" % (b64_json({"alg": "HS256", "typ": "JWT"}), b64_json({"sub": "1234567890", "name": "John Doe", "iat": 1516239022}),
                             "SflKxwRJSMeKKF2Q" + "T4fwpMeJf36POk6y" + "JV_adQssw5c")

    def jwks():
        obj = {"keys": [{"kty": "RSA", "use": "sig", "kid": rnd(ALNUM, 12), "alg": "RS256", "n": b64(rbytes(256), url=True, pad=False), "e": "AQAB"}]}
        text = json.dumps(obj, indent=2) + "\n"
        return T("jwks-public", "jwks.json", text, text.strip())

    neg = [
        lambda: P("header-only", "jwt header", b64_json({"alg": pick("HS256", "RS256"), "typ": "JWT"})),
        lambda: P("truncated", pick("access token", "jwt"), pick("eyJhbGciOi...", "eyJ...", b64_json({"alg": "HS256", "typ": "JWT"}) + ".eyJ...")),
        lambda: P("doc-sample", "access token", jwtio_doc()),
        lambda: P("placeholder", pick("access token", "jwt"), pick("<token>", "<jwt>", "YOUR_JWT_HERE", "Bearer <token>")),
        lambda: P("header-placeholder", "authorization", pick("Bearer ${TOKEN}", "Bearer $ACCESS_TOKEN", "Bearer {{token}}")),
        lambda: ref("env-reference", "jwt secret"),
        lambda: P("config", pick("jwt algorithm", "jwt issuer", "jwt audience"), pick("HS256", "RS256", "https://auth.acme.io/", "api")),
        lambda: P("config", "jwt expiry seconds", str(pick(900, 3600, 86400))),
        jwks,
        lambda: P("jwks-url", "jwks uri", "https://auth.%s/.well-known/jwks.json" % pick("acme.io", "acme.net")),
        uuid_negative,
        lambda: lock_negative(["jsonwebtoken", "jose", "passport-jwt", "@auth0/auth0-spa-js"], "auth0"),
    ]
    return pos, neg


# Negatives are grouped so the score can tell look-alikes of a format (which a
# generic keyword rule may fairly report) from values that are plainly not secrets.
NEG_GROUPS = {
    "bad checksum": {"bad-checksum"},
    "placeholder/reference": {"placeholder", "env-reference", "actions-expression", "azure-pipelines-var", "ci-variable", "template",
                              "header-placeholder", "empty", "empty-password", "masked", "format-string", "placeholder-password",
                              "doc-format", "pem-placeholder", "pem-truncated", "truncated", "truncated-doc", "env-var-password",
                              "docker-config-helper", "dev-storage", "no-credentials", "no-password", "jdbc-no-credentials",
                              "integrated-security", "sas-no-signature", "encrypted", "ansible-vault"},
    "documentation sample": {"doc-sample", "local-default"},
    "public value": {"publishable-key", "sentry-dsn", "instrumentation-key", "pem-public-key", "pem-certificate", "pem-certificate-request",
                     "ssh-public-key", "pgp-public-key", "known-hosts", "age-recipient", "jwks-public"},
    "hash/digest/commit": {"git-commit-sha", "ci-commit-sha", "pinned-action-sha", "image-digest", "sha256sums", "file-checksum",
                           "model-revision", "sdk-checksum"},
    "identifier": {"arn", "account-sid", "service-sid", "uuid-id", "message-ts", "project-number", "dashboard-uid", "vault-accessor",
                   "org-slug", "project-key", "project-slug", "stack-ref", "group-path", "service-account-email", "build-number",
                   "trace-id", "span-id"},
}


def neg_group(kind):
    for g, kinds in NEG_GROUPS.items():
        if kind in kinds:
            return g
    if kind.startswith(("wrong-", "truncated-hash", "header-only")):
        return "wrong length/alphabet/shape"
    if kind.startswith("lockfile-"):
        return "hash/digest/commit"
    if kind.endswith("-id") or kind.startswith("id-"):
        return "identifier"
    return "other config/code"


FAMILIES = [
    ("aws", fam_aws), ("gcp", fam_gcp), ("azure", fam_azure), ("github", fam_github), ("gitlab", fam_gitlab),
    ("slack", fam_slack), ("payments", fam_payments), ("ai", fam_ai), ("messaging", fam_messaging),
    ("observability", fam_observability), ("ci-cd", fam_cicd), ("registries", fam_registries),
    ("databases", fam_databases), ("private-keys", fam_keys), ("password-hashes", fam_hashes),
    ("generic-passwords", fam_passwords), ("keyword-longtail", fam_longtail), ("jwt", fam_jwt),
]


def locate(text, w):
    i = text.find(w)
    if i < 0:
        raise AssertionError("value not in file: %r" % w[:60])
    line = text.count("\n", 0, i) + 1
    return line, line + w.count("\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", default="target/detection-corpus", help="output directory (replaced)")
    ap.add_argument("--seed", type=int, default=20240607)
    ap.add_argument("--per-family", type=int, default=50, help="positives and negatives per family (each)")
    args = ap.parse_args(argv)
    R.seed(args.seed)

    out = args.out
    if os.path.exists(out) and not os.path.isdir(out):
        sys.exit("%s is not a directory" % out)
    if os.path.isdir(out):
        if not os.path.exists(os.path.join(out, "labels.jsonl")) and os.listdir(out):
            sys.exit("refusing to replace %s: not a corpus directory (no labels.jsonl)" % out)
        shutil.rmtree(out)
    os.makedirs(out)

    labels = []
    for fam, fn in FAMILIES:
        pos, neg = fn()
        cases = []
        for label, makers in (("positive", pos), ("negative", neg)):
            for i in range(args.per_family):
                c = makers[i % len(makers)]()
                c["label"] = label
                cases.append(c)
        R.shuffle(cases)
        for n, c in enumerate(cases, 1):
            name, text, w, style = render(c)
            line, end = locate(text, w)
            rel = "%s/c%04d/%s" % (fam, n, name)
            path = os.path.join(out, "cases", rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            group = neg_group(c["kind"]) if c["label"] == "negative" else "secret"
            labels.append({"file": rel, "family": fam, "label": c["label"], "kind": c["kind"], "group": group, "wrapper": style,
                           "line": line, "end_line": end, "secret": c.get("secret", w)})
    with open(os.path.join(out, "labels.jsonl"), "w", encoding="utf-8") as f:
        for l in labels:
            f.write(json.dumps(l, sort_keys=True) + "\n")
    npos = sum(1 for l in labels if l["label"] == "positive")
    print("wrote %d cases (%d positive, %d negative, %d families) to %s" % (len(labels), npos, len(labels) - npos, len(FAMILIES), out))


if __name__ == "__main__":
    main()
