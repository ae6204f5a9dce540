"""A real SMTP server for tests and benchmarks (aiosmtpd, in a thread of this process): it
keeps every message it accepts, and can be told to answer the next DATA commands with an
error (451, 550) or to refuse a recipient, as a bureau's mail server would."""

import email
import email.parser
import email.policy
import socket
import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

HEADERS = email.parser.BytesHeaderParser()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    message_id: str
    to: list
    raw: bytes

    def parsed(self):
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    def attachments(self):
        """{file name: bytes} of the message's attachments."""
        return {
            part.get_filename(): part.get_payload(decode=True)
            for part in self.parsed().iter_attachments()
        }


@dataclass
class Handler:
    received: list = field(default_factory=list)
    data_replies: list = field(default_factory=list)  # answers to the next DATA commands
    refused: dict = field(default_factory=dict)  # recipient → the answer to its RCPT
    connections: int = 0
    on_mail: object = None  # called (from the server's thread) at each MAIL FROM
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.on_mail is not None:
            self.on_mail()
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return self.refused[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.data_replies:
                return self.data_replies.pop(0)
            headers = HEADERS.parsebytes(envelope.content)  # the body is parsed when asked
            self.received.append(
                Received(
                    message_id=str(headers["Message-ID"]),
                    to=list(envelope.rcpt_tos),
                    raw=envelope.content,
                )
            )
        return "250 Message accepted for delivery"


class Sink:
    """with Sink() as sink: … sink.port, sink.received, sink.handler.data_replies."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.handler = Handler()
        self.controller = self.new_controller()

    def new_controller(self):
        return Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def restart(self):
        """Stop and start again on the same port: every client's connection is closed, as
        when a mail server restarts or drops an idle connection."""
        self.controller.stop()
        self.controller = self.new_controller()
        self.controller.start()

    @property
    def received(self):
        return self.handler.received

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def message_ids(self):
        with self.handler.lock:
            return [message.message_id for message in self.handler.received]

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
