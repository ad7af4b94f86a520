# A PEP 517 build backend of its own, so pip builds this package offline (no setuptools to download).
import base64, hashlib, os, zipfile

NAME, VERSION = "greeting", "1.0"
DIST = f"{NAME}-{VERSION}.dist-info"

def _files():
    here = os.path.dirname(os.path.abspath(__file__))
    for name in sorted(os.listdir(os.path.join(here, NAME))):
        if name.endswith(".py"):
            with open(os.path.join(here, NAME, name), "rb") as f:
                yield f"{NAME}/{name}", f.read()
    yield f"{DIST}/METADATA", f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {VERSION}\n".encode()
    yield f"{DIST}/WHEEL", b"Wheel-Version: 1.0\nGenerator: greeting-backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    yield f"{DIST}/entry_points.txt", b"[console_scripts]\ngreet = greeting:main\n"

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    wheel = f"{NAME}-{VERSION}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w") as z:
        for path, data in _files():
            z.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(data)}")
        record.append(f"{DIST}/RECORD,,")
        z.writestr(f"{DIST}/RECORD", "\n".join(record) + "\n")
    return wheel
