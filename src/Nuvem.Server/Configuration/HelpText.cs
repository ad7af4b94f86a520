namespace Nuvem.Server.Configuration;

/// <summary>What <c>nuvemd --help</c> prints: every setting, with its default.</summary>
internal static class HelpText
{
    public const string Text = """
        nuvemd — the Nuvem platform server

        Configuration (environment; a flag of the same name, e.g. --api-port 5443, takes precedence):
          NUVEM_DATA_DIR       state, certificates, slugs   (default /var/lib/nuvem as root, else ~/.local/share/nuvem)
          NUVEM_API_PORT       HTTPS Platform API and git   (default 5443)
          NUVEM_ROUTER_PORT    HTTP router for apps         (default 5080)
          NUVEM_RENDEZVOUS_PORT  TLS port for `run` sessions  (default 5001)
          NUVEM_DOMAIN         apps are NAME.DOMAIN         (default localhost)
          NUVEM_API_HOST       host name clients use        (default localhost)
          NUVEM_BIND_ADDRESS   *, localhost or an IP        (default *)
          NUVEM_ADMIN_EMAIL    first-start admin account    (default admin@localhost)
          NUVEM_ADMIN_PASSWORD first-start admin password   (default: generated, saved to DATA_DIR/admin-password)
          NUVEM_ADMIN_TOKEN    first-start admin API token  (optional; for automation)
          NUVEM_TLS_CERT, NUVEM_TLS_KEY   your own certificate and key (PEM) instead of the local CA
          NUVEM_DYNO_SIZES     JSON file with the dyno size table
          NUVEM_BUILD_TIMEOUT  seconds a build may take     (default 900)
          NUVEM_SLUG_MAX_MB    largest compressed slug      (default 500)
          NUVEM_BUILD_MEMORY_MB, NUVEM_BUILD_CPUS, NUVEM_BUILD_PIDS   limits of every build dyno (3072, all cores, 4096)
          NUVEM_BUILD_DISK_MB, NUVEM_BUILD_CACHE_MB, NUVEM_BUILD_TMP_MB   its build dir, per-app cache and /tmp (2048, 2048, 1024)
          NUVEM_BUILD_CONCURRENCY  builds running at once  (default: the number of cores)
          NUVEM_BUILDPACK_DIRS  host directories apps may use as buildpacks, ':'-separated (default: none)
          NUVEM_BOOT_TIMEOUT   seconds a web dyno has to bind $PORT (default 60)
          NUVEM_STOP_GRACE     seconds between SIGTERM and SIGKILL (default 30)
          NUVEM_DYNO_RUNTIME   container (isolated; default) or process (plain processes, no isolation)
          NUVEM_DYNO_OCI_RUNTIME  crun or runc             (default crun where it can run, else runc)
          NUVEM_DYNO_NETWORK   bridge (a namespace per dyno; default) or host (a loopback port per dyno)
          NUVEM_DYNO_BRIDGE, NUVEM_DYNO_SUBNET, NUVEM_DYNO_PORT   bridge mode's interface, addresses and $PORT (nuvem0, 10.213.0.0/16, 5000)
          NUVEM_DYNO_EGRESS_DENY  networks dynos may not reach (default: 10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16; or none)
          NUVEM_LOG_LINES      log lines kept per app       (default 1500)
          NUVEM_LOG_KEEPALIVE  seconds between keep-alives of an idle log tail (default 15)
          NUVEM_ROUTER_TIMEOUT seconds a dyno may take to start its response before H12 (default 30)
          NUVEM_POSTGRES_PORT  the platform's Postgres cluster for heroku-postgresql add-ons (default 5433)
          NUVEM_POSTGRES_FINAL_BACKUP_DAYS  days the final dump of a removed Postgres add-on is kept (default 7)
          NUVEM_REDIS_PORTS    ports for heroku-redis add-ons, one Redis server each (default 6380-6479)

        nuvemd --stop-dynos   stops every dyno and the Postgres and Redis servers a stopped or killed nuvemd left running (they outlive it on purpose)
        """;
}
