// Package ipam is exact CIDR arithmetic for IP address management, over
// [net/netip]: free space, next available blocks, headroom, overlaps and
// utilization of IPv4 and IPv6 pools. It imports no AWS package and does no
// I/O beyond reading a list; everything AWS-specific in ipamkit is built on
// it.
//
// # Parsing
//
// [ParseCIDR] is strict: "10.0.0.1/8" is an error naming the canonical
// 10.0.0.0/8, because a typo in an address plan must not silently become a
// different network ([netip.ParsePrefix] keeps host bits). [ParseCIDRMasked]
// is the opt-in that masks them. [ParseCIDRList] reads one CIDR per line and
// reports every bad line, numbered, in one error.
//
// # Counting
//
// [Count] is an exact number of addresses from 0 to 2^128 inclusive (an IPv6
// /0 holds 2^128, one more than 128 bits hold). It marshals as a decimal
// string, because JSON numbers lose precision past 2^53; a float appears only
// in [Count.Percent] and [Usage.Percent], and goes in only through
// [Count.Fraction], which turns a reported usage fraction into an exact count.
//
// # Free space and allocation
//
// A [Space] is pools minus used prefixes, built by [NewSpace] in
// O(n log n). Used prefixes may overlap, repeat, nest or stick out of the
// pools. From it:
//
//   - [Space.Free]: the free space as the minimal sorted list of CIDRs;
//   - [Space.Next] and [Space.Allocate]: the next free aligned blocks of a
//     length, several at once, placed lowest-first ([Lowest]) or in the
//     smallest hole that holds them ([BestFit]), in one pass whose cost does
//     not depend on the size of the free space;
//   - [Space.Largest] and [Space.Fits]: headroom ("is a /24 still free?"),
//     which a utilization percentage cannot tell;
//   - [Space.Usage]: total, used and free addresses and the percentage.
//
// [Free] and [Utilization] are shorthands for one question.
//
// # Lists of prefixes
//
// [Overlaps] finds every overlapping pair in O(n log n + pairs).
// [Summarize] merges a list into the minimal covering CIDRs. [Subnets] splits
// a prefix lazily into an [iter.Seq]. [ComparePrefix] sorts in address order.
// [AWSUsable] is what AWS leaves usable in a subnet CIDR.
//
// # Errors
//
// Errors name the bad input and wrap a sentinel to branch on with
// [errors.Is]: [ErrSyntax], [ErrHostBitsSet], [ErrInvalidPrefix],
// [ErrFamilyMismatch], [ErrBadBits], [ErrBadCount], [ErrBadStrategy],
// [ErrInsufficientSpace]; [*ParseError] and [*InsufficientSpaceError] carry
// the details. Bad input never panics; only the Must functions do, and they
// are for tests and literals.
//
// All functions are safe for concurrent use. [Count], [Space] and [Usage] are
// immutable values: copy them freely and share them between goroutines.
package ipam
