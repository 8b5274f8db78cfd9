"""The driver-bench workload on Nova's own nova.virt.fake.FakeDriver.

Builds N instances (flavor m1.tiny, one VIF) as real Nova objects, then times spawn,
list_instances, get_info, pause, unpause, power_off, power_on and destroy over them, with
THREADS threads on disjoint instances. Prints ops/s per operation and resident bytes per
instance. Usage: python nova_fake_bench.py N THREADS
"""

import resource
import sys
import threading
import time
import uuid


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1

    from nova import context, objects
    from nova.network import model as network_model
    from nova.virt import fake

    objects.register_all()
    ctx = context.get_admin_context()

    class BigFakeDriver(fake.FakeDriver):
        vcpus = 10**9
        memory_mb = 10**12
        local_gb = 10**12

    driver = BigFakeDriver(fake.FakeVirtAPI())
    driver.init_host("fake-mini")

    flavor = objects.Flavor(
        id=1, flavorid="1", name="m1.tiny", vcpus=1, memory_mb=512, root_gb=1,
        ephemeral_gb=0, swap=0, extra_specs={},
    )
    image_meta = objects.ImageMeta.from_dict({"id": str(uuid.uuid4()), "properties": {}})
    network = network_model.Network(id=str(uuid.uuid4()), label="private", subnets=[])
    specs = []
    for i in range(n):
        inst = objects.Instance(
            id=i + 1, uuid=str(uuid.UUID(int=i + 1)), flavor=flavor, node="fake-mini",
            host="fake-mini", vm_state="building", power_state=0,
            system_metadata={}, metadata={},
        )
        vif = network_model.VIF(id=str(uuid.uuid4()), address="fa:16:3e:%06x" % i, network=network)
        specs.append((inst, network_model.NetworkInfo([vif])))

    chunks = [specs[t::threads] for t in range(threads)]

    def timed(name, fn, per_chunk_ops):
        barrier = threading.Barrier(threads)
        workers = [threading.Thread(target=lambda c=c: (barrier.wait(), fn(c))) for c in chunks]
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        seconds = time.perf_counter() - start
        ops = sum(per_chunk_ops(c) for c in chunks)
        print(f"{name:>16}: {ops / seconds:14,.0f} ops/s  ({ops} in {seconds:.3f} s)")

    base = rss_bytes()
    timed("spawn", lambda c: [driver.spawn(ctx, i, image_meta, [], "pw", {}, network_info=nw) for i, nw in c], len)
    per_instance = (rss_bytes() - base) / n
    lists = max(3, min(1000, 2_000_000 // n))
    timed("list_instances", lambda c: [driver.list_instances() for _ in range(lists)], lambda c: lists)
    timed("get_info", lambda c: [driver.get_info(i) for i, _ in c], len)
    timed("pause", lambda c: [driver.pause(i) for i, _ in c], len)
    timed("unpause", lambda c: [driver.unpause(i) for i, _ in c], len)
    timed("power_off", lambda c: [driver.power_off(i) for i, _ in c], len)
    timed("power_on", lambda c: [driver.power_on(ctx, i, nw) for i, nw in c], len)
    timed("destroy", lambda c: [driver.destroy(ctx, i, nw) for i, nw in c], len)
    print(f"{'bytes/instance':>16}: {per_instance:14,.0f}")


if __name__ == "__main__":
    main()
