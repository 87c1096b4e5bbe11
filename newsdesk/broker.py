"""kombu's filesystem transport (the broker when none is configured), safe against a message
read while it is written and against a writer killed half-way.

kombu creates a message's file in the queue folder and then writes it, and a worker takes
every message file it lists there: one listed between the two reads as empty, and kombu's
consumer dies of the JSONDecodeError ("Unrecoverable error", kombu issue #1551), taking the
worker with it; a producer killed between the two leaves an empty file that kills every
worker that starts. Here a message is written under a name no worker takes and renamed into
place (a rename within a folder is atomic), and a message that still cannot be read (cut by
a full disk or a power cut) is logged and dropped: the runs it carried stay pending in the
database, where the reconciler finds them.
"""

import logging
import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

log = logging.getLogger(__name__)

PARTIAL = ".part"  # a message being written: no worker lists it (they take "<queue>.msg" only)


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + PARTIAL
        try:
            with open(partial, "wb") as fh:
                fh.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            try:
                os.remove(partial)
            except OSError:
                pass
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue):
        while True:  # kombu's _get raises Empty when no message is left
            try:
                return super()._get(queue)
            except ValueError as exc:  # the JSON of a cut or empty file
                log.error("dropped a broker message that cannot be read (queue %s): %s", queue, exc)


class Transport(filesystem.Transport):
    Channel = Channel
