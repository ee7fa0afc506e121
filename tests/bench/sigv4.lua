-- SigV4 signatures per CPU second with iamsh's signer as scripts reach it
-- (aws.sigv4.sign), for the benchmark (tests/bench/run).
--   iamsh run tests/bench/sigv4.lua N BODY
-- Signs a POST of BODY to IAM N times, with the clock read for each signature as
-- the client does, and prints "N CPU_SECONDS" (os.clock: this process's CPU).
local n, body = tonumber(arg[1]), arg[2]
local request = {
  method = "POST", url = "https://iam.amazonaws.com/", body = body,
  headers = { ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8" },
  region = "us-east-1", service = "iam",
  access_key = "AKIDEXAMPLE", secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
}
local sign = aws.sigv4.sign
sign(request)
local t0 = os.clock()
for _ = 1, n do
  sign(request)
end
print(n, os.clock() - t0)
