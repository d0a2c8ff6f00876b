"""Pictures from cameras and image entities: the last one per datapoint kept aside, referenced by its hash."""

from __future__ import annotations

import base64
import binascii
import hashlib
import time

from homebound.adapters.mqtt.kinds.base import Decoder, Entity, PayloadError, StoredImage

MAX_IMAGE_BYTES = 8 * 1024 * 1024


def picture_decoder(entity: Entity, prop: str, default_type: str) -> Decoder:
    """Decode a picture payload (raw, or base64 with `image_encoding: b64`): keep it on the entity, and return
    its reference `sha256:<16 hex digits>` as the datapoint's value."""
    path = entity.path(prop)
    encoding = entity.config.get("image_encoding")
    content_type = str(entity.config.get("content_type") or default_type)[:100]

    def decode(payload: bytes) -> dict[str, object]:
        data = payload
        if encoding == "b64":
            if len(payload) > MAX_IMAGE_BYTES * 4 // 3 + 4:
                raise PayloadError(f"{path}: picture of {len(payload)} base64 bytes is larger than allowed")
            try:
                data = base64.b64decode(payload, validate=True)
            except (binascii.Error, ValueError):
                raise PayloadError(f"{path}: payload is not base64 (image_encoding is b64)") from None
        if not data:
            return {}
        if len(data) > MAX_IMAGE_BYTES:
            raise PayloadError(f"{path}: picture of {len(data)} bytes is larger than {MAX_IMAGE_BYTES}")
        reference = "sha256:" + hashlib.sha256(data).hexdigest()[:16]
        entity.images[path] = StoredImage(data, content_type, time.time(), reference)
        return {path: reference}

    return decode
