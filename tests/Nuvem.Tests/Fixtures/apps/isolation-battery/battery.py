"""Isolation battery: run inside a dyno, tries to break out in every way the platform promises to stop.

Every attempt is expected to FAIL. Prints one JSON line: {"attempts": N, "succeeded": M, "results": [...]}.
Settings come from the environment: VICTIM_ADDRESS (host:port of another app's dyno), VICTIM_SECRET (a config
var value and file content of that app, given reversed so that this dyno's own environment does not hold it), HOST_PORTS (comma-separated platform/host ports), HOST_PID (the
platform's process id on the host), NEIGHBOUR_ADDRESS (host:port of a service on a private network beside the
host), MEMORY_MB, PIDS, APP_DISK_MB, TMP_DISK_MB (this dyno size's limits).

In a build (an npm preinstall, a buildpack's compile) the settings come from a JSON file instead: battery.py FILE WHERE.
There it also tries what a build could leave for the platform to trip on: a git config and hooks where git looks, a
Procfile that is a link to /etc/shadow, files under the platform's data directory (DATA_DIR), and a full cache (CACHE_MB).
"""
import ctypes, json, os, signal, socket, subprocess, sys, time

results = []


def attempt(name):
    def run(fn):
        try:
            ok, detail = fn()
        except Exception as e:  # an exception is the attempt failing
            ok, detail = False, f"{type(e).__name__}: {e}"
        results.append({"attempt": name, "succeeded": bool(ok), "detail": str(detail)[:300]})
        return fn
    return run


env = json.load(open(sys.argv[1])) if len(sys.argv) > 1 else os.environ
where = sys.argv[2] if len(sys.argv) > 2 else "dyno"
secret = env["VICTIM_SECRET_REVERSED"][::-1]
victim_host, victim_port = env["VICTIM_ADDRESS"].rsplit(":", 1)
memory = int(env["MEMORY_MB"]) * 1024 * 1024
pids_limit = int(env["PIDS"])


def cmdlines():
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    yield int(pid), f.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                pass


@attempt("see the host's processes")
def _():
    seen = [c for _, c in cmdlines() if "nuvemd" in c or "conmon" in c or "dotnet" in c or "containerd" in c]
    return bool(seen), seen or f"{sum(1 for _ in cmdlines())} processes visible, none of the host's"


@attempt("see another dyno's processes")
def _():
    seen = [c for _, c in cmdlines() if "victim-server" in c]
    return bool(seen), seen or "no other dyno's process visible"


def search(roots, needle):
    hits = []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root, onerror=lambda e: None, followlinks=False):
            for name in filenames:
                path = os.path.join(dirpath, name)
                try:
                    if os.path.getsize(path) > 1_000_000:
                        continue
                    with open(path, "rb") as f:
                        if needle.encode() in f.read():
                            hits.append(path)
                except OSError:
                    pass
    return hits


@attempt("read another app's /app files")
def _():
    hits = search(["/app", "/tmp", "/home", "/root", "/var", "/srv", "/mnt", "/opt", "/run", "/etc", "/dev/shm"], secret)
    return bool(hits), hits or "secret not found in any readable file"


@attempt("read another app's config vars")
def _():
    hits = []
    for pid, _ in cmdlines():
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if secret.encode() in f.read():
                    hits.append(pid)
        except OSError:
            pass
    return bool(hits), hits or "secret in no visible process environment"


for target in ["/", "/usr", "/etc", "/usr/bin", "/sys/fs/cgroup", "/proc/sys/kernel"]:
    @attempt(f"write to {target}")
    def _(target=target):
        path = os.path.join(target, "nuvem-battery-write")
        with open(path, "w") as f:
            f.write("x")
        return True, f"wrote {path}"


@attempt("mount a filesystem")
def _():
    os.makedirs("/tmp/m", exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "none", "/tmp/m"], capture_output=True, text=True)
    return r.returncode == 0, r.stderr.strip()


@attempt("mount inside a new user namespace")
def _():
    r = subprocess.run(["unshare", "-U", "-r", "-m", "sh", "-c", "mount -t tmpfs none /tmp && echo mounted"], capture_output=True, text=True)
    return r.returncode == 0 and "mounted" in r.stdout, (r.stdout + r.stderr).strip()


@attempt("hold capabilities")
def _():
    status = open("/proc/self/status").read()
    eff = [l for l in status.splitlines() if l.startswith(("CapEff", "CapPrm", "NoNewPrivs"))]
    cap_eff = int([l for l in eff if l.startswith("CapEff")][0].split()[1], 16)
    return cap_eff != 0, eff


@attempt("become root with setuid")
def _():
    os.setuid(0)
    return os.getuid() == 0, f"uid {os.getuid()}"


@attempt("become root through a setuid binary")
def _():
    r = subprocess.run(["/usr/bin/su", "-c", "id -u", "root"], input="", capture_output=True, text=True, timeout=10)
    return r.returncode == 0 and r.stdout.strip() == "0", (r.stdout + r.stderr).strip()


@attempt("signal the platform process")
def _():
    os.kill(int(env["HOST_PID"]), 0)
    return True, "signal 0 delivered"


@attempt("exceed the memory limit")
def _():
    code = f"""
import sys
chunks = []
while True:
    chunks.append(bytearray(8 * 1024 * 1024))
    print(len(chunks) * 8, flush=True)
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    allocated = int((r.stdout.split() or ["0"])[-1]) * 1024 * 1024
    return allocated > memory, f"reached {allocated // 1048576} MB of {memory // 1048576} MB, exit {r.returncode}"


@attempt("fork past the process limit")
def _():
    children = []
    try:
        for _ in range(pids_limit * 2):
            pid = os.fork()
            if pid == 0:
                time.sleep(30)
                os._exit(0)
            children.append(pid)
    except OSError as e:
        error = str(e)
    else:
        error = "no error"
    finally:
        for pid in children:
            os.kill(pid, signal.SIGKILL)
        for pid in children:
            os.waitpid(pid, 0)
    return len(children) >= pids_limit, f"{len(children)} forks, then {error}"


def fill(directory, cap_mb):
    path = os.path.join(directory, "nuvem-battery-fill")
    written = 0
    block = b"\0" * (1024 * 1024)
    try:
        with open(path, "wb") as f:
            while written < (cap_mb + 8) * 1024 * 1024:
                f.write(block)
                f.flush()
                written += len(block)
    except OSError as e:
        error = str(e)
    else:
        error = "no error"
    finally:
        try:
            os.remove(path)
        except OSError:
            pass
    return written > cap_mb * 1024 * 1024, f"wrote {written // 1048576} MB of a {cap_mb} MB cap, then {error}"


@attempt("fill /app past its cap")
def _():
    return fill("/app", int(env["APP_DISK_MB"]))


@attempt("fill /tmp past its cap")
def _():
    return fill("/tmp", int(env["TMP_DISK_MB"]))


def connect(host, port):
    with socket.create_connection((host, int(port)), timeout=3):
        return True


def gateway():
    with open("/proc/net/route") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1] == "00000000":
                return socket.inet_ntoa(int(fields[2], 16).to_bytes(4, "little"))
    return None


@attempt("connect to another app's dyno")
def _():
    return connect(victim_host, victim_port), f"connected to {victim_host}:{victim_port}"


@attempt("connect to a private network beside the host")
def _():
    host, port = env["NEIGHBOUR_ADDRESS"].rsplit(":", 1)
    return connect(host, port), f"connected to {host}:{port}"


for port in env["HOST_PORTS"].split(","):
    for host in ["127.0.0.1", gateway()]:
        if host is None:
            continue

        @attempt(f"connect to the host's port {port} at {host}")
        def _(host=host, port=port):
            return connect(host, port), f"connected to {host}:{port}"


if "DATA_DIR" in env:
    data = env["DATA_DIR"]
    for target in [f"{data}/repos", f"{data}/slugs", f"{data}/nuvem.db", f"{data}/builds", "/root/.gitconfig"]:
        @attempt(f"write {target}, a path the platform reads")
        def _(target=target):
            path = target if target.endswith((".db", ".gitconfig")) else os.path.join(target, "planted")
            with open(path, "a") as f:
                f.write("planted")
            return True, f"wrote {path}"

    @attempt("plant a git config and hook for the platform's next git")
    def _():
        # Where git running as root with HOME=/tmp or HOME=/root would read them: a build can write its own /tmp and
        # HOME only. The test checks from the host that no planted hook ever runs.
        hooks = "/tmp/planted-hooks"
        os.makedirs(hooks, exist_ok=True)
        for name in ["post-receive", "pre-receive", "post-update"]:
            with open(os.path.join(hooks, name), "w") as f:
                f.write(f"#!/bin/sh\ntouch {env['PLANTED_MARKER']}\n")
            os.chmod(os.path.join(hooks, name), 0o755)
        for config in ["/tmp/.gitconfig", os.path.join(os.environ.get("HOME", "/tmp"), ".gitconfig")]:
            with open(config, "w") as f:
                f.write(f"[core]\n\thooksPath = {hooks}\n")
        return os.path.exists(env["PLANTED_MARKER"]), "planted in the build's own /tmp and HOME"

    @attempt("make the Procfile a link to /etc/shadow")
    def _():
        app = env.get("APP_DIR", "/app")
        if os.path.lexists(f"{app}/Procfile"):
            os.remove(f"{app}/Procfile")
        os.symlink("/etc/shadow", f"{app}/Procfile")
        return os.path.exists("/etc/shadow") and os.access("/etc/shadow", os.R_OK), "linked; /etc/shadow here is " + (
            "readable" if os.access("/etc/shadow", os.R_OK) else "not readable" if os.path.exists("/etc/shadow") else "absent")

    @attempt("fill /cache past its cap")
    def _():
        return fill("/cache", int(env["CACHE_MB"]))

print("BATTERY " + json.dumps({"where": where, "attempts": len(results), "succeeded": sum(r["succeeded"] for r in results), "results": results}), flush=True)
