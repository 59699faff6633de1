package notify

import (
	"strconv"
	"time"

	"github.com/ipamkit/ipamkit/ipam"
)

// The names the monitor sample used, kept as defaults so existing alarms and
// dashboards keep working.
const (
	// DefaultNamespace is the CloudWatch namespace of [CloudWatch] and [EMF]
	// when none is set.
	DefaultNamespace = "CUSTOM/IPAM"
	// MetricPercentAssigned is the utilization of a resource, in percent.
	MetricPercentAssigned = "PercentAssigned"
	// MetricIPAddressTotal is the number of addresses in a resource.
	MetricIPAddressTotal = "IpAddressTotal"
	// MetricIPAddressAvailable is the number of free addresses in a resource.
	MetricIPAddressAvailable = "IpAddressAvailable"
	// MetricDaysToExhaustion is the days until a resource runs out of
	// addresses, by its forecast; sent only for resources that have a date.
	MetricDaysToExhaustion = "DaysToExhaustion"
	// DimensionResourceID is the dimension that names the resource.
	DimensionResourceID = "ResourceId"
)

// Unit is the unit of a [Metric], spelled as a CloudWatch StandardUnit
// ("Percent", "Count", …). The zero value means no unit ("None").
type Unit string

// Units used by ipamkit. Any CloudWatch StandardUnit name is valid.
const (
	UnitNone    Unit = "None"    // no unit
	UnitPercent Unit = "Percent" // percent, 0 to 100
	UnitCount   Unit = "Count"   // a number of things, such as addresses
)

// Dimension is a name-value pair that qualifies a [Metric].
type Dimension struct {
	Name  string `json:"name"`  // 1 to 255 bytes, such as "ResourceId"
	Value string `json:"value"` // 1 to 1024 bytes, such as "vpc-0abc"
}

// Metric is one data point. It is a plain value, safe to copy.
type Metric struct {
	// Name is the metric name, such as [MetricPercentAssigned].
	Name string `json:"name"`
	// Value is the measurement. Sinks reject NaN and infinities.
	Value float64 `json:"value"`
	// Unit is the unit of Value; empty means none.
	Unit Unit `json:"unit,omitempty"`
	// Dimensions qualify the metric, in order. Sinks add their own
	// configured dimensions after these.
	Dimensions []Dimension `json:"dimensions,omitempty"`
	// Time is when the value was measured; the zero time means "now" to
	// the sink.
	Time time.Time `json:"time,omitzero"`
}

// ResourceMetricsOptions configures [ResourceMetrics]. The zero value gives
// the monitor sample's metrics: three per resource, with the one dimension
// [DimensionResourceID].
type ResourceMetricsOptions struct {
	// Dimensions returns extra dimensions for a resource, added after
	// ResourceId. Nil adds none; [AccountRegionDimensions] is one choice.
	Dimensions func(Resource) []Dimension
}

// AccountRegionDimensions returns the dimensions "AccountId" and "Region"
// of r, leaving out the ones that are empty. It is meant for
// [ResourceMetricsOptions.Dimensions].
func AccountRegionDimensions(r Resource) []Dimension {
	var ds []Dimension
	if r.AccountID != "" {
		ds = append(ds, Dimension{Name: "AccountId", Value: r.AccountID})
	}
	if r.Region != "" {
		ds = append(ds, Dimension{Name: "Region", Value: r.Region})
	}
	return ds
}

// ResourceMetrics returns three metrics for each resource, in input order:
// [MetricPercentAssigned] (percent), [MetricIPAddressTotal] and
// [MetricIPAddressAvailable] (counts), each with the dimension ResourceId
// and the time t. Counts above 2^53 (IPv6) become the nearest float64,
// since CloudWatch values are doubles.
func ResourceMetrics(rs []Resource, t time.Time, optFns ...func(*ResourceMetricsOptions)) []Metric {
	var o ResourceMetricsOptions
	for _, fn := range optFns {
		fn(&o)
	}
	ms := make([]Metric, 0, 3*len(rs))
	for _, r := range rs {
		dims := []Dimension{{Name: DimensionResourceID, Value: r.ID}}
		if o.Dimensions != nil {
			dims = append(dims, o.Dimensions(r)...)
		}
		ms = append(ms,
			Metric{Name: MetricPercentAssigned, Value: r.Percent, Unit: UnitPercent, Dimensions: dims, Time: t},
			Metric{Name: MetricIPAddressTotal, Value: countValue(r.Total), Unit: UnitCount, Dimensions: dims, Time: t},
			Metric{Name: MetricIPAddressAvailable, Value: countValue(r.Available), Unit: UnitCount, Dimensions: dims, Time: t},
		)
	}
	return ms
}

// countValue converts an exact count to the nearest float64, for metric
// values only.
func countValue(c ipam.Count) float64 {
	if n, ok := c.Uint64(); ok {
		return float64(n)
	}
	f, err := strconv.ParseFloat(c.String(), 64)
	if err != nil {
		panic("notify: Count.String is not a decimal: " + err.Error()) // unreachable
	}
	return f
}
