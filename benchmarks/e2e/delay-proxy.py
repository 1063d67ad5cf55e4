#!/usr/bin/env python3
"""A network's latency for the end-to-end benchmark (run-e2e.sh --delay-ms): a TCP proxy on 127.0.0.1:LISTEN_PORT to
127.0.0.1:UPSTREAM_PORT that holds every chunk DELAY seconds in each direction, in order. asyncio sleeps to the
millisecond, so 0.5 ms each way gives a round trip of about 2.5 ms (psql's \timing of SELECT 1). One Python process
per server: for round-trip-bound runs (thousands of small tables), not for moving gigabytes.

    delay-proxy.py LISTEN_PORT UPSTREAM_PORT DELAY_SECONDS"""
import asyncio, sys

DELAY = float(sys.argv[3])

async def pump(reader, writer):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()
    async def sender():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        try:
            writer.close()
        except Exception:
            pass
    task = asyncio.create_task(sender())
    try:
        while True:
            data = await reader.read(262144)
            if not data:
                break
            await queue.put((loop.time() + DELAY, data))
    except Exception:
        pass
    await queue.put((0, None))
    await task

async def handle(creader, cwriter):
    try:
        ureader, uwriter = await asyncio.open_connection('127.0.0.1', int(sys.argv[2]))
    except Exception:
        cwriter.close(); return
    await asyncio.gather(pump(creader, uwriter), pump(ureader, cwriter))

async def main():
    server = await asyncio.start_server(handle, '127.0.0.1', int(sys.argv[1]))
    async with server:
        await server.serve_forever()

asyncio.run(main())
