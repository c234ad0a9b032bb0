"""EMR: moto reads a call's Region only from an EMR host name
(``elasticmapreduce.<region>.amazonaws.com``) and otherwise falls back to us-east-1, so
every call to the emulator's single endpoint lands in us-east-1 whatever Region it was
signed for. Where the host names no Region, the Region is read as for every other
service (the SigV4 credential scope)."""

from __future__ import annotations

from functools import wraps

from moto.core.responses import BaseResponse
from moto.emr.responses import ElasticMapReduceResponse


def apply() -> None:
    original = ElasticMapReduceResponse.get_region_from_url

    @wraps(original)
    def get_region_from_url(self, request, full_url: str) -> str:
        netloc = self.parsed_url.netloc
        if any(regex.search(netloc) for regex in ElasticMapReduceResponse.emr_region_regex):
            return original(self, request, full_url)
        return BaseResponse.get_region_from_url(self, request, full_url)

    ElasticMapReduceResponse.get_region_from_url = get_region_from_url
