using System.Globalization;
using System.Text;

namespace CallServer.Adapters.Redis;

/// <summary>
/// The key layout's shards (layout 2): every key a call's save changes in one atomic step carries the hash tag
/// of one shard, so the step touches one Redis Cluster slot. A call lives in its caller's shard (its id is
/// chosen so, <see cref="NewCallId"/>), with its timers, its outbox messages and the caller's own indexes; an
/// account's keys live in the account's shard. The shards' tags are chosen once, the same on every node, so
/// that shard <c>i</c> falls in the <c>i</c>-th sixteenth of the slots: a cluster whose primaries hold equal
/// ranges of slots holds equal numbers of shards.
/// </summary>
public static class RedisShards
{
    /// <summary>How many shards; part of the layout (ids and keys depend on it), never configured.</summary>
    public const int Count = 16;

    public const int Slots = 16384;

    /// <summary>The hash tag (with its braces) of shard <paramref name="shard"/>.</summary>
    public static string Tag(int shard) => Tags[shard];

    /// <summary>The shard of a call (of its id) or of an account (of its address).</summary>
    public static int Of(string id) => Slot(id) % Count;

    /// <summary>
    /// A new random call id in <paramref name="caller"/>'s shard (32 lowercase hex digits, as before): 15 random
    /// bytes, and the last one chosen among those that land the id in the shard (one always does: the CRC's last
    /// step maps the 256 values of the last byte onto every low nibble).
    /// </summary>
    public static string NewCallId(string caller)
    {
        var shard = Of(caller);
        Span<byte> random = stackalloc byte[16];
        System.Security.Cryptography.RandomNumberGenerator.Fill(random);
        Span<char> id = stackalloc char[32];
        for (var last = 0; last < 256; last++)
        {
            random[15] = (byte)(random[15] + 1);
            Convert.TryToHexStringLower(random, id, out _);
            if (Slot(id) % Count == shard)
            {
                return new string(id);
            }
        }

        throw new InvalidOperationException("no last byte puts the id in its shard");
    }

    /// <summary>
    /// The Redis Cluster slot of a key with no hash tag: CRC16 (XMODEM) of its UTF-8 bytes, modulo 16384. On every
    /// key a save names (ids and addresses are ASCII: read as they are, no bytes allocated).
    /// </summary>
    public static int Slot(string key) => Slot(key.AsSpan());

    private static int Slot(ReadOnlySpan<char> key)
    {
        ushort crc = 0;
        foreach (var c in key)
        {
            if (c > 0x7F)
            {
                return SlotOfUtf8(key);
            }

            crc = (ushort)((crc << 8) ^ CrcTable[((crc >> 8) ^ c) & 0xFF]);
        }

        return crc % Slots;
    }

    private static readonly ushort[] CrcTable = BuildCrcTable();

    private static readonly string[] Tags = ChooseTags();

    private static int SlotOfUtf8(ReadOnlySpan<char> key)
    {
        ushort crc = 0;
        foreach (var value in Encoding.UTF8.GetBytes(key.ToArray()))
        {
            crc = (ushort)((crc << 8) ^ CrcTable[((crc >> 8) ^ value) & 0xFF]);
        }

        return crc % Slots;
    }

    private static ushort[] BuildCrcTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)(i << 8);
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }

            table[i] = crc;
        }

        return table;
    }

    private static string[] ChooseTags()
    {
        var tags = new string[Count];
        const int width = Slots / Count;
        for (var shard = 0; shard < Count; shard++)
        {
            for (var candidate = 0; ; candidate++)
            {
                var tag = string.Create(CultureInfo.InvariantCulture, $"cs{shard}.{candidate}");
                if (Slot(tag) / width == shard)
                {
                    tags[shard] = "{" + tag + "}";
                    break;
                }
            }
        }

        return tags;
    }
}
