"""An aiohttp web app serving sensor readings through one shared AsyncSession.

Run: ``python examples/aiohttp_app.py``. It writes sample readings, starts the app on a
free port, asks itself for ``/sensors/s1/latest`` and ``/sensors/nope/latest``, prints the
answers and exits. ``INFLUXDB_URL`` picks a server; otherwise a throwaway one is started.

The session is opened once in the app's cleanup context (connections are pooled and
reused by every request) and closed at shutdown.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from _support import Reading, influxdb_url, sample_readings
from aiohttp import ClientSession, web

import influxorm as orm
from influxorm.influxql import quote_ident

SESSION = web.AppKey("session", orm.AsyncSession)


def make_app(url: str) -> web.Application:
    """The app: ``GET /sensors/{sensor}/latest`` -> the sensor's latest reading as JSON."""

    async def session_context(app: web.Application) -> AsyncIterator[None]:
        async with orm.AsyncSession(url, database="iot") as session:
            app[SESSION] = session
            yield

    app = web.Application()
    app.cleanup_ctx.append(session_context)
    app.router.add_get("/sensors/{sensor}/latest", latest)
    return app


async def latest(request: web.Request) -> web.Response:
    session = request.app[SESSION]
    table = quote_ident(Reading.__influxorm_schema__.measurement)
    # The sensor name comes from the URL: it is bound as a parameter, never formatted in.
    result = await session.query(
        f"SELECT temperature, humidity FROM {table} WHERE sensor = $sensor "
        "ORDER BY time DESC LIMIT 1",
        params={"sensor": request.match_info["sensor"]},
        epoch=None,
    )
    series = result["results"][0].get("series")
    if not series:
        raise web.HTTPNotFound(text=json.dumps({"error": "no such sensor"}))
    row = dict(zip(series[0]["columns"], series[0]["values"][0], strict=True))
    return web.json_response(row)


async def main() -> None:
    with influxdb_url() as url:
        async with orm.AsyncSession(url, database="iot") as session:
            await session.create_database()
            await session.write(sample_readings())

        runner = web.AppRunner(make_app(url))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        print(f"serving on http://127.0.0.1:{port}")
        try:
            async with ClientSession() as client:
                for sensor in ("s1", "nope"):
                    path = f"/sensors/{sensor}/latest"
                    async with client.get(f"http://127.0.0.1:{port}{path}") as response:
                        print(f"GET {path} -> {response.status} {await response.text()}")
        finally:
            await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
