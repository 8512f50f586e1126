"""Django's ASGI handler, with the synchronous middleware stack and views run on a fixed pool of
threads, one hop per request.

Every view and middleware of this project is synchronous. Django's own ASGI handler builds an
asynchronous stack: it hops between the event loop and a thread for each middleware method and
again for the view, and it gives every request a new thread, so a database connection can never
be kept between requests. Here the stack is the one a threaded WSGI server runs (Django's
supported threaded model), entered once per request on one of `WEB_THREADS` long-lived threads,
each keeping its database connection (CONN_MAX_AGE, health-checked at each request's start and
end, as Django's request signals would on that thread)."""

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.db import close_old_connections


class SyncStackASGIHandler(ASGIHandler):
    async def __call__(self, scope, receive, send):
        # Django wraps each request in a ThreadSensitiveContext: a new thread per request for
        # the thread-sensitive calls. Here those are only the request signals (quick; the
        # stack itself runs on the pool), so they share asgiref's one thread instead.
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        await self.handle(scope, receive, send)

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        chain = self._middleware_chain
        self.request_threads = ThreadPoolExecutor(
            max_workers=settings.WEB_THREADS, thread_name_prefix="django-request"
        )

        def run_request(request):
            close_old_connections()
            try:
                return chain(request)
            finally:
                close_old_connections()

        self._middleware_chain = sync_to_async(
            run_request, thread_sensitive=False, executor=self.request_threads
        )
