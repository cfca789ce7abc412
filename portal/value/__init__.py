"""Value for money: unit values, the deflator series, cost-benefit analyses of services and their publication."""
