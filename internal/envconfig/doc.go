// Package envconfig reads a Lambda's configuration from environment
// variables with a table of variable specs, and reports every problem of
// the configuration at once.
//
// # Reading
//
// A configuration is a list of [Var] values, each naming one variable and
// the [Setter] that reads its value into the configuration. [Read] reads
// them in the order listed, skipping empty variables so that a default
// stays, and collects each problem in [Problems]; checks across variables
// go between calls to Read where they belong in the order. [Problems.Err]
// then returns nil or one [Error] listing every problem.
//
// [String], [List], [Enum], [Range], [Bool] and [LogLevel] make the usual
// setters; [ParseInt], [ParseBool], [ParseDuration] and [ParseLogLevel]
// are the parsers behind them, and [SplitList] splits a comma-separated
// value.
//
// # Messages
//
// A problem names its variable first. It quotes the bad value
// (`NAME "VALUE": want …`) unless the value may be a credential or hold a
// line break: a [String] setter made with [Unquoted] reports `NAME: want …`.
// No setter in this package logs or returns a value otherwise.
package envconfig
