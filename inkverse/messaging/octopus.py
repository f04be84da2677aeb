"""The mailing list: EmailOctopus API v2 contacts, on the lists named in `EMAIL_LISTS` (`signup`)."""

from http import HTTPStatus
from typing import Literal

import aiohttp
import structlog
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from inkverse.errors import MailingListError
from inkverse.settings import EmailSettings

log = structlog.get_logger(__name__)

SIGNUP_LIST = "signup"
_ATTEMPTS = 3
_MAX_ERROR_BODY = 300

ContactStatus = Literal["subscribed", "unsubscribed"]


class _RetryableResponseError(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"EmailOctopus answered {status}: {body[:_MAX_ERROR_BODY]}")


def _is_retryable(error: BaseException) -> bool:
    return isinstance(error, (_RetryableResponseError, aiohttp.ClientConnectionError, TimeoutError))


def _is_retryable_status(status: int) -> bool:
    return status == HTTPStatus.TOO_MANY_REQUESTS or status >= HTTPStatus.INTERNAL_SERVER_ERROR


class MailingList:
    """Adds and updates contacts; without an API key or a list id it logs and does nothing."""

    def __init__(
        self, http: aiohttp.ClientSession, settings: EmailSettings, wait_seconds: float = 1.0
    ) -> None:
        self._http = http
        self._settings = settings
        self._wait_seconds = wait_seconds

    async def subscribe(self, email_address: str, list_name: str = SIGNUP_LIST) -> None:
        """Add the contact to the list (POST); a contact already on it is left as it is."""
        await self._write("POST", list_name, email_address, "subscribed")

    async def unsubscribe(self, email_address: str, list_name: str = SIGNUP_LIST) -> None:
        """Create or update the contact as unsubscribed (PUT)."""
        await self._write("PUT", list_name, email_address, "unsubscribed")

    async def _write(
        self, method: Literal["POST", "PUT"], list_name: str, email_address: str, status: ContactStatus
    ) -> None:
        list_id = self._settings.lists.get(list_name)
        api_key = self._settings.octopus_api_key
        if list_id is None or api_key is None:
            log.info("mailing_list.not_configured", list=list_name, status=status)
            return
        url = f"{self._settings.octopus_api_url.rstrip('/')}/lists/{list_id}/contacts"
        headers = {"Authorization": f"Bearer {api_key.get_secret_value()}"}
        body = {"email_address": email_address, "status": status}
        retrying = AsyncRetrying(
            retry=retry_if_exception(_is_retryable),
            stop=stop_after_attempt(_ATTEMPTS),
            wait=wait_exponential_jitter(
                multiplier=self._wait_seconds, max=self._wait_seconds * 8, jitter=self._wait_seconds
            ),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await self._request(method, url, headers, body)
        except (_RetryableResponseError, aiohttp.ClientError, TimeoutError) as exc:
            raise MailingListError(f"EmailOctopus did not take the contact on {list_name!r}: {exc}") from exc
        log.info("mailing_list.updated", list=list_name, status=status)

    async def _request(self, method: str, url: str, headers: dict[str, str], body: dict[str, str]) -> None:
        async with self._http.request(method, url, headers=headers, json=body) as response:
            if response.status < HTTPStatus.BAD_REQUEST:
                return
            text = await response.text()
            if _is_retryable_status(response.status):
                raise _RetryableResponseError(response.status, text)
            if method == "POST" and response.status == HTTPStatus.CONFLICT:
                log.info("mailing_list.already_on_list")
                return
            raise MailingListError(f"EmailOctopus answered {response.status}: {text[:_MAX_ERROR_BODY]}")
