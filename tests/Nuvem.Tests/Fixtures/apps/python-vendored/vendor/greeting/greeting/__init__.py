"""A local package the app vendors: requirements.txt names its directory, so pip installs it without an index."""


def hello():
    return "Hello from greeting"


def main():
    print(hello())
