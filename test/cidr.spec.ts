import * as assert from "node:assert/strict";
import fc from "fast-check";
import {
    cidrProblem,
    contains,
    containsAddress,
    isPrivate,
    networkOf,
    overlaps,
    planSubnets,
    prefixLength,
    subnetOf,
} from "../components/cidr";

const toInt = (ip: string) => ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");

/** An arbitrary canonical IPv4 block: the network address of a random address and prefix. */
const block = (minPrefix = 8, maxPrefix = 30) =>
    fc
        .tuple(
            fc.integer({ min: 0, max: 2 ** 32 - 1 }),
            fc.integer({ min: minPrefix, max: maxPrefix }),
        )
        .map(([addr, prefix]) => {
            const size = 2 ** (32 - prefix);
            return `${toIp(Math.floor(addr / size) * size)}/${prefix}`;
        });

const prefixOf = (cidr: string) => Number(cidr.split("/")[1]);

const range = (cidr: string) => {
    const [ip, prefix] = cidr.split("/");
    const start = toInt(ip);
    return { start, end: start + 2 ** (32 - Number(prefix)) - 1 };
};

describe("CIDR maths", () => {
    it("accepts canonical blocks and rejects malformed and misaligned ones", () => {
        assert.equal(cidrProblem("10.0.0.0/16"), undefined);
        assert.equal(cidrProblem("10.0.0/16"), "malformed");
        assert.equal(cidrProblem("10.0.0.256/24"), "malformed");
        assert.equal(cidrProblem("10.0.0.0/33"), "malformed");
        assert.equal(cidrProblem("10.0.0.0"), "malformed");
        assert.equal(cidrProblem(" 10.0.0.0/16"), "malformed");
        assert.equal(cidrProblem("10.0.0.1/16"), "not-aligned");
        assert.equal(networkOf("10.0.0.1/16"), "10.0.0.0/16");
    });

    it("overlap is symmetric and agrees with interval arithmetic", () => {
        fc.assert(
            fc.property(block(), block(), (a, b) => {
                const x = range(a);
                const y = range(b);
                const expected = x.start <= y.end && y.start <= x.end;
                assert.equal(overlaps(a, b), expected);
                assert.equal(overlaps(b, a), expected);
            }),
        );
    });

    it("containment agrees with interval arithmetic", () => {
        fc.assert(
            fc.property(block(), block(), (a, b) => {
                const x = range(a);
                const y = range(b);
                assert.equal(contains(a, b), x.start <= y.start && y.end <= x.end);
            }),
        );
    });

    it("subnetOf yields disjoint, aligned blocks that tile the parent in order", () => {
        fc.assert(
            fc.property(block(8, 24), fc.integer({ min: 0, max: 4 }), (parent, extra) => {
                const newPrefix = prefixLength(parent) + extra;
                const count = 2 ** extra;
                const blocks = [...Array(count).keys()].map((i) => subnetOf(parent, newPrefix, i));
                blocks.forEach((b, i) => {
                    assert.equal(cidrProblem(b), undefined);
                    assert.ok(contains(parent, b));
                    if (i > 0) {
                        assert.equal(range(b).start, range(blocks[i - 1]).end + 1);
                    }
                });
                assert.equal(range(blocks[0]).start, range(parent).start);
                assert.equal(range(blocks[count - 1]).end, range(parent).end);
            }),
        );
    });

    it("subnetOf refuses blocks that do not fit", () => {
        assert.throws(
            () => subnetOf("10.0.0.0/16", 15, 0),
            /cannot cut \/15 blocks out of 10.0.0.0\/16/,
        );
        assert.throws(
            () => subnetOf("10.0.0.0/16", 18, 4),
            /10.0.0.0\/16 holds 4 \/18 blocks; index 4 is outside/,
        );
    });

    it("plans private quarters and small public blocks, all disjoint and inside the VPC", () => {
        assert.deepEqual(planSubnets("10.10.0.0/16", 3), {
            private: ["10.10.0.0/18", "10.10.64.0/18", "10.10.128.0/18"],
            public: ["10.10.192.0/22", "10.10.196.0/22", "10.10.200.0/22"],
            reserved: ["10.10.63.224/28", "10.10.127.224/28", "10.10.191.224/28"],
            eastWestAddresses: ["10.10.63.224", "10.10.127.224", "10.10.191.224"],
        });
        fc.assert(
            fc.property(block(16, 20), fc.integer({ min: 1, max: 3 }), (vpc, azs) => {
                const plan = planSubnets(vpc, azs);
                const all = [...plan.private, ...plan.public];
                assert.equal(plan.private.length, azs);
                assert.equal(plan.public.length, azs);
                all.forEach((s, i) => {
                    assert.ok(contains(vpc, s), `${s} outside ${vpc}`);
                    all.slice(0, i).forEach((t) =>
                        assert.ok(!overlaps(s, t), `${s} overlaps ${t}`),
                    );
                });
                // Each reservation lies in its private subnet, clear of the addresses AWS keeps
                // (the first four and the last), and holds the east-west address.
                plan.reserved.forEach((r, i) => {
                    const subnet = range(plan.private[i]);
                    const reservation = range(r);
                    assert.equal(prefixOf(r), 28);
                    assert.ok(
                        reservation.start >= subnet.start + 4 && reservation.end < subnet.end,
                    );
                    assert.ok(containsAddress(r, plan.eastWestAddresses[i]));
                    assert.ok(containsAddress(plan.private[i], plan.eastWestAddresses[i]));
                });
                // Adding a zone never moves an existing subnet or fixed address.
                if (azs < 3) {
                    const more = planSubnets(vpc, azs + 1);
                    assert.deepEqual(more.private.slice(0, azs), plan.private);
                    assert.deepEqual(more.public.slice(0, azs), plan.public);
                    assert.deepEqual(more.eastWestAddresses.slice(0, azs), plan.eastWestAddresses);
                }
            }),
        );
    });

    it("knows the private ranges", () => {
        assert.ok(isPrivate("10.0.0.0/8"));
        assert.ok(isPrivate("172.31.0.0/16"));
        assert.ok(isPrivate("192.168.10.0/24"));
        assert.ok(!isPrivate("172.32.0.0/16"));
        assert.ok(!isPrivate("9.255.0.0/16"));
    });
});
