package report

// MiB is the number of bytes in a mebibyte (2^20). Every "MiB/s" figure of
// mskbench is bytes per second divided by MiB.
const MiB = 1 << 20
