module profdiff/samples/calib

go 1.19
