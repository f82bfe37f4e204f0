using System.Runtime.InteropServices;

namespace PercepNetFx.Plugin.Interop;

/// <summary>
/// A <see cref="ComObject"/> with an IConnectionPoint view (docs/vst3.md §3): the component and the
/// controller each hold one reference to the other's connection point, the peer, until disconnect
/// or their final release.
/// </summary>
internal abstract unsafe class ConnectionPointObject(params nint[] vtables) : ComObject(vtables)
{
    /// <summary>The IConnectionPoint vtable: connect, disconnect, notify.</summary>
    protected static readonly nint ConnectionVt = MakeVtable(
        (nint)(delegate* unmanaged<void*, void*, int>)&Connect,
        (nint)(delegate* unmanaged<void*, void*, int>)&Disconnect,
        (nint)(delegate* unmanaged<void*, void*, int>)&Notify);

    /// <summary>The connected peer (addRef'd), or null.</summary>
    protected void* Peer { get; private set; }

    /// <summary>After a successful connect (UI thread): a first message to the new peer, if any.</summary>
    protected virtual void OnConnected() { }

    /// <summary>A message from the peer (UI thread); may throw, the slot answers kInternalError.</summary>
    protected abstract int OnNotify(void* message);

    protected void ReleasePeer()
    {
        if (Peer != null) { Host.Release(Peer); Peer = null; }
    }

    [UnmanagedCallersOnly]
    private static int Connect(void* self, void* other)
    {
        try
        {
            var c = From<ConnectionPointObject>(self);
            if (other == null) return Vst.kInvalidArgument;
            if (c.Peer != null) return Vst.kResultFalse;
            Host.AddRef(other);
            c.Peer = other;
            c.OnConnected();
            return Vst.kResultOk;
        }
        catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int Disconnect(void* self, void* other)
    {
        try
        {
            var c = From<ConnectionPointObject>(self);
            if (c.Peer == null || c.Peer != other) return Vst.kResultFalse;
            c.ReleasePeer();
            return Vst.kResultOk;
        }
        catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int Notify(void* self, void* message)
    {
        try { return From<ConnectionPointObject>(self).OnNotify(message); } catch { return Vst.kInternalError; }
    }
}
