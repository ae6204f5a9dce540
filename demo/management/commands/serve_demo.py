"""`runserver` for `make demo`: the same server, and the demo's logins printed last, once it
listens (after its own banner, so that nothing pushes them off the screen)."""

from django.contrib.staticfiles.management.commands.runserver import Command as RunServer

from demo.logins import login_lines


class Command(RunServer):
    help = "Serve the demo (runserver), then print its logins."

    def on_bind(self, server_port):
        super().on_bind(server_port)
        self.stdout.write("")
        for line in login_lines():
            self.stdout.write(line)
        self.stdout.write("")
