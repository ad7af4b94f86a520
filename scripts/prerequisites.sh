# Sourced by up.sh and test.sh: installs what Nuvem needs on a Debian machine, and only what is missing.
# Later parts of the platform add their packages (postgresql, redis-server…) to the list here.

# git for pushes; the rest runs dynos as containers: an OCI runtime (crun, runc as its fallback), conmon as each
# dyno's monitor, tini as its PID 1, the CNI plugins and nftables/iptables for its network. PostgreSQL (Debian 12:
# version 15) for heroku-postgresql add-ons: nuvemd runs its own cluster from /usr/lib/postgresql/<version>/bin, as the
# package's postgres user; the client for pg_dump/pg_restore/psql.
# redis-server for heroku-redis add-ons: one server per add-on, run as the package's redis user.
NUVEM_APT_PACKAGES=(git ca-certificates curl crun runc conmon tini containernetworking-plugins nftables iptables iproute2 util-linux
  postgresql postgresql-client redis-server)

# What the built-in buildpacks run, looked up as the builder does (its PATH is /usr/local/bin:/usr/bin:/bin):
# python3 able to make a virtualenv, node and npm. Each comes from Debian only when it is missing, so a
# node installed some other way is kept.
nuvem_buildpack_packages() {
  local build_path=/usr/local/bin:/usr/bin:/bin
  if ! PATH=$build_path command -v python3 >/dev/null 2>&1; then
    echo python3 python3-venv
  elif ! PATH=$build_path python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    echo python3-venv # Debian's python3 has no ensurepip without it, so `python3 -m venv` fails
  fi
  PATH=$build_path command -v node >/dev/null 2>&1 || echo nodejs
  PATH=$build_path command -v npm >/dev/null 2>&1 || echo npm
}

nuvem_ensure_prerequisites() {
  local missing=()
  for package in "${NUVEM_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  # shellcheck disable=SC2207 # package names have no spaces
  missing+=($(nuvem_buildpack_packages))
  if ((${#missing[@]})); then
    echo "==> Installing ${missing[*]}"
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi

  nuvem_prepare_cgroups

  if ! command -v dotnet >/dev/null 2>&1; then
    echo "==> The .NET 10 SDK is missing; trying apt (dotnet-sdk-10.0)"
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq dotnet-sdk-10.0 >/dev/null 2>&1; then
      cat >&2 <<'MSG'
Nuvem needs the .NET 10 SDK and apt could not install it.
Add Microsoft's package repository for Debian (https://learn.microsoft.com/dotnet/core/install/linux-debian),
then run: apt-get install dotnet-sdk-10.0
MSG
      exit 1
    fi
  fi
  local major
  major=$(dotnet --version 2>/dev/null | cut -d. -f1)
  if [[ "${major:-0}" -lt 10 ]]; then
    echo "Nuvem needs the .NET SDK 10 or newer; found $(dotnet --version 2>/dev/null || echo none)." >&2
    exit 1
  fi
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

# On hybrid cgroup hosts (cgroup v1 for memory/cpu/pids plus a cgroup2 mount) crun refuses to run while the cgroup2
# side holds a controller; on some VMs it holds hugetlb. Mounting hugetlb as a v1 hierarchy moves it there (until
# reboot). nuvemd checks this too and falls back to runc, or says what to do.
nuvem_prepare_cgroups() {
  local unified=/sys/fs/cgroup/unified/cgroup.controllers
  # Not [[ -s ]]: cgroupfs files report a size of 0 whatever they hold, so only reading them tells.
  [[ -r $unified && $(id -u) -eq 0 ]] || return 0
  if [[ $(tr -d ' \n' <"$unified") == hugetlb ]] && ! mountpoint -q /sys/fs/cgroup/hugetlb 2>/dev/null; then
    echo "==> Moving the hugetlb cgroup controller to cgroup v1 (crun needs an empty cgroup2 on hybrid hosts)"
    mkdir -p /sys/fs/cgroup/hugetlb && mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb || true
  fi
}
