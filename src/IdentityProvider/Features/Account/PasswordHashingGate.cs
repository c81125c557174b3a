namespace OnePass.IdentityProvider.Features.Account;

/// <summary>
/// Bounds the password hashes computed at once (issue 7): a burst of password sign-ins takes at most
/// <see cref="Slots"/> cores (one per processor), so the token endpoint, sessions and pages keep the rest. A sign-in
/// that finds every slot busy waits at most <see cref="Wait"/>, in a queue of at most <see cref="MaxWaiting"/>; past
/// that it gets <see cref="PasswordHashingBusyException"/>, which the transient-failure handler answers with 503 and
/// <c>Retry-After</c> (nothing checked, nothing counted, nothing stored) instead of an ever-growing queue.
/// </summary>
public sealed class PasswordHashingGate : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private int _waiting;

    public PasswordHashingGate()
        : this(Environment.ProcessorCount, TimeSpan.FromSeconds(2))
    {
    }

    public PasswordHashingGate(int slots, TimeSpan wait)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        if (wait < TimeSpan.Zero && wait != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(wait), wait, "The wait must be zero or more, or infinite.");
        }

        Slots = slots;
        Wait = wait;
        MaxWaiting = 16 * slots; // with the 2 s wait, a burst of 16 sign-ins per core still queues rather than fails
        _slots = new SemaphoreSlim(slots, slots);
    }

    public int Slots { get; }

    public TimeSpan Wait { get; }

    public int MaxWaiting { get; }

    /// <summary>Slots free right now.</summary>
    public int Available => _slots.CurrentCount;

    /// <summary>Takes a slot, waiting briefly for one; dispose the lease when the hash is done.</summary>
    /// <exception cref="PasswordHashingBusyException">No slot came free in time, or the queue is full.</exception>
    public async ValueTask<Lease> EnterAsync(CancellationToken cancellationToken = default)
    {
        if (_slots.Wait(0, CancellationToken.None))
        {
            return new Lease(_slots);
        }

        if (Interlocked.Increment(ref _waiting) > MaxWaiting)
        {
            Interlocked.Decrement(ref _waiting);
            throw new PasswordHashingBusyException();
        }

        try
        {
            if (!await _slots.WaitAsync(Wait, cancellationToken))
            {
                throw new PasswordHashingBusyException();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        return new Lease(_slots);
    }

    public void Dispose() => _slots.Dispose();

    /// <summary>A held slot.</summary>
    public sealed class Lease(SemaphoreSlim slots) : IDisposable
    {
        private SemaphoreSlim? _slots = slots;

        public void Dispose() => Interlocked.Exchange(ref _slots, null)?.Release();
    }
}

/// <summary>
/// Every password-hash slot is busy. A <see cref="TimeoutException"/>, so <see cref="Infrastructure.TransientFailures"/>
/// answers 503 with <c>Retry-After</c>: try again in a few seconds.
/// </summary>
public sealed class PasswordHashingBusyException : TimeoutException
{
    public PasswordHashingBusyException()
        : base("Every password-hash slot is busy; try again in a few seconds.")
    {
    }

    public PasswordHashingBusyException(string message)
        : base(message)
    {
    }

    public PasswordHashingBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
