"""UploadPMRImage of the user service: an image for the caller's Personal Meeting Room.

Sources: the XML API reference's User Service overview (which lists UploadPMRImage; its own page
could not be read here) and the published user schema's ``uploadPMRImage`` type: ``imageFor``
(``Photo`` or ``Header``, the schema's imageForType) then ``imageData`` (base64Binary).

Rules (behaviour ``pmr-image``): the image is for the caller's own room (anonymous: 000001);
``imageFor`` must be Photo or Header and ``imageData`` Base64 of a GIF, JPEG or PNG image
(anything else: 010001 naming the element). An upload replaces the room's earlier image of the
same kind; the control API shows each user's images (``pmrImages``: format and size).
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from webex_harness.emulator.dispatch import Call
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import PmrImage
from webex_harness.emulator.services.site import handler
from webex_harness.emulator.xmlio import Elements
from webex_harness.webex.errors import invalid_value

PMR_IMAGE = declare("pmr-image", "UploadPMRImage keeps whatever imageData holds, an image or not")

IMAGE_FOR = ("Photo", "Header")
#: the leading bytes of each image format UploadPMRImage accepts
_SIGNATURES = ((b"GIF87a", "GIF"), (b"GIF89a", "GIF"), (b"\xff\xd8\xff", "JPG"), (b"\x89PNG\r\n\x1a\n", "PNG"))


def image_format(data: bytes) -> str | None:
    """GIF, JPG or PNG by the image's leading bytes; None for anything else."""
    return next((name for magic, name in _SIGNATURES if data.startswith(magic)), None)


@handler("user", "UploadPMRImage", "use:uploadPMRImageResponse")
def upload_pmr_image(call: Call) -> Elements:
    """Behaviour ``pmr-image``: keep a Photo or Header image of the caller's Personal Meeting Room."""
    user = call.user()
    wanted = (call.node.get("imageFor") or "").strip().lower()
    kind = next((k for k in IMAGE_FOR if k.lower() == wanted), None)
    if kind is None:
        raise invalid_value("imageFor")
    try:
        data = base64.b64decode("".join((call.node.get("imageData") or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise invalid_value("imageData") from None
    found = image_format(data)
    if not data or (found is None and not call.fault(PMR_IMAGE)):
        raise invalid_value("imageData")
    user.pmr_images[kind] = PmrImage(found or "unknown", len(data), hashlib.sha256(data).hexdigest())
    return []
