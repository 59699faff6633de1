// Package ipamkit governs IP address space across an AWS Organization.
//
// This file holds only the overview; the work is done in the sub-packages.
package ipamkit
