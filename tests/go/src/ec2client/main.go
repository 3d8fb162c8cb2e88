// A Go program using the AWS SDK for Go v2 against botohook's server, the way a Go agent (the VPC CNI's ipamd, an
// IPAM tool) would be pointed at it: the environment botohook prints, and the endpoint resolver that SDKs before
// v1.25 need (they ignore AWS_ENDPOINT_URL). Several workers, each with clients of its own (and so connections of
// its own), move one secondary address on and off their interface: assign, describe, unassign.
//
//	ec2client WORKERS ROUNDS SUBNET sdk|buffered
//
// "sdk" uses the SDK's own HTTP client, as Go agents do; "buffered" wraps it as the README advises for SDKs whose
// smithy-go predates the fix below. Prints one JSON line: {"calls": N, "failures": [...], "interfaces": [...]}.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// bufferedBodies hands net/http each request body as a bytes.Reader it knows. With the body the SDK builds,
// net/http (Go 1.19) writes the headers first, then the body, then reads the body once more for EOF; smithy-go before
// aws/smithy-go@700b436 closes that body as soon as the response arrives and its WriteTo then answers io.EOF, which
// net/http takes for a write error: it closes the connection under the response being read ("use of closed network
// connection" on a 200 answer) unless the whole answer was already read (botohook sends each answer in one write, so
// an answer within net/http's 4 KiB read buffer always is). With a body net/http knows, it writes the whole request
// before anyone can answer it, and the race is gone for answers of any size.
type bufferedBodies struct{ next aws.HTTPClient }

func (b bufferedBodies) Do(request *http.Request) (*http.Response, error) {
	if request.Body != nil && request.Body != http.NoBody {
		body, err := io.ReadAll(request.Body)
		request.Body.Close()
		if err != nil {
			return nil, err
		}
		request.Body = io.NopCloser(bytes.NewReader(body))
		request.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		request.ContentLength = int64(len(body))
	}
	return b.next.Do(request)
}

func newClient(cfg aws.Config, endpoint string, buffered bool) *ec2.Client {
	return ec2.NewFromConfig(cfg, func(o *ec2.Options) {
		o.EndpointResolver = ec2.EndpointResolverFromURL(endpoint)
		if buffered {
			o.HTTPClient = bufferedBodies{next: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}}
		}
	})
}

func main() {
	workers, _ := strconv.Atoi(os.Args[1])
	rounds, _ := strconv.Atoi(os.Args[2])
	subnet := os.Args[3]
	buffered := os.Args[4] == "buffered"
	endpoint := os.Getenv("AWS_ENDPOINT_URL_EC2")
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx) // keys, region and profile from the environment botohook printed
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var mu sync.Mutex
	calls, failures, interfaces := 0, []string{}, []string{}
	record := func(err error) bool {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if err != nil {
			failures = append(failures, err.Error())
		}
		return err == nil
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := newClient(cfg, endpoint, buffered)
			created, err := client.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet)})
			if !record(err) {
				return
			}
			eni := created.NetworkInterface.NetworkInterfaceId
			mu.Lock()
			interfaces = append(interfaces, *eni)
			mu.Unlock()
			for round := 0; round < rounds; round++ {
				if round%10 == 9 {
					client = newClient(cfg, endpoint, buffered) // new connections now and then
				}
				assigned, err := client.AssignPrivateIpAddresses(ctx, &ec2.AssignPrivateIpAddressesInput{
					NetworkInterfaceId: eni, SecondaryPrivateIpAddressCount: aws.Int32(1),
				})
				if !record(err) {
					continue
				}
				address := assigned.AssignedPrivateIpAddresses[0].PrivateIpAddress
				_, err = client.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{*eni}})
				record(err)
				_, err = client.UnassignPrivateIpAddresses(ctx, &ec2.UnassignPrivateIpAddressesInput{
					NetworkInterfaceId: eni, PrivateIpAddresses: []string{*address},
				})
				record(err)
			}
		}()
	}
	wg.Wait()
	out, _ := json.Marshal(map[string]interface{}{"calls": calls, "failures": failures, "interfaces": interfaces})
	fmt.Println(string(out))
}
