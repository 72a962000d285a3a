import numpy as np
# A library for tables of data.
import pandas as pd
# A library for plots.
import matplotlib.pyplot as plt
# Show the plots inside the notebook.

import w2_unittest

### START CODE HERE ### (~ 1 line of code)
adv = pd.read_csv("data/tvmarketing.csv")
### END CODE HERE ###

# Print some part of the dataset.
adv.head()

w2_unittest.test_load_data(adv)

adv.plot(x='TV', y='Sales', kind='scatter', c='black')

X = adv['TV']
Y = adv['Sales']

m_numpy, b_numpy = np.polyfit(X, Y, 1)

print(f"Linear regression with NumPy. Slope: {m_numpy}. Intercept: {b_numpy}")

# GRADED FUNCTION: pred_numpy

def pred_numpy(m, b, X):
    ### START CODE HERE ### (~ 1 line of code)
    Y = m * X + b
    ### END CODE HERE ###

    return Y

X_pred = np.array([50, 120, 280])
Y_pred_numpy = pred_numpy(m_numpy, b_numpy, X_pred)

print(f"TV marketing expenses:\n{X_pred}")
print(f"Predictions of sales using NumPy linear regression:\n{Y_pred_numpy}")

w2_unittest.test_pred_numpy(pred_numpy)

from sklearn.linear_model import LinearRegression

lr_sklearn = LinearRegression()

X_sklearn = np.array(X).reshape(-1, 1)
Y_sklearn = np.array(Y).reshape(-1, 1)

lr_sklearn.fit(X_sklearn, Y_sklearn)

m_sklearn = lr_sklearn.coef_
b_sklearn = lr_sklearn.intercept_

def pred_sklearn(X, lr_sklearn):
    ### START CODE HERE ### (~ 2 lines of code)
    X_2D = np.array(X).reshape(-1, 1)
    Y = lr_sklearn.predict(X_2D)
    ### END CODE HERE ###

    return Y

Y_pred_sklearn = pred_sklearn(X_pred, lr_sklearn)
print(f"Predictions of sales using Scikit_Learn linear regression:\n{Y_pred_sklearn.T}")

X_norm = (X - np.mean(X)) / np.std(X)
Y_norm = (Y - np.mean(Y)) / np.std(Y)

def E(m, b, X, Y):
    return 1/(2*len(Y))*np.sum((m*X + b - Y)**2)

# GRADED FUNCTION: dEdm

def dEdm(m, b, X, Y):
    ### START CODE HERE ### (~ 1 line of code)
    # Use the formula above; np.dot gives the sum of elementwise products.
    res = 1/len(X) * np.dot(m * X + b - Y, X)
    ### END CODE HERE ###

    return res

# GRADED FUNCTION: dEdb

def dEdb(m, b, X, Y):
    ### START CODE HERE ### (~ 1 line of code)
    res = 1/len(X) * np.sum(m * X + b - Y)
    ### END CODE HERE ###

    return res

print(dEdm(0, 0, X_norm, Y_norm))
print(dEdb(0, 0, X_norm, Y_norm))
print(dEdm(1, 5, X_norm, Y_norm))
print(dEdb(1, 5, X_norm, Y_norm))

w2_unittest.test_partial_derivatives(dEdm, dEdb, X_norm, Y_norm)

# GRADED FUNCTION: gradient_descent

def gradient_descent(dEdm, dEdb, m, b, X, Y, learning_rate = 0.001, num_iterations = 1000, print_cost=False):
    for iteration in range(num_iterations):
        ### START CODE HERE ### (~ 2 lines of code)
        m_new = m - learning_rate * dEdm(m, b, X, Y)
        b_new = b - learning_rate * dEdb(m_new, b, X, Y)
        ### END CODE HERE ###
        m = m_new
        b = b_new
        if print_cost:
            print (f"Cost after iteration {iteration}: {E(m, b, X, Y)}")

    return m, b

print(gradient_descent(dEdm, dEdb, 0, 0, X_norm, Y_norm))
print(gradient_descent(dEdm, dEdb, 1, 5, X_norm, Y_norm, learning_rate = 0.01, num_iterations = 10))

w2_unittest.test_gradient_descent(gradient_descent, dEdm, dEdb, X_norm, Y_norm)

m_initial = 0; b_initial = 0; num_iterations = 30; learning_rate = 1.2
m_gd, b_gd = gradient_descent(dEdm, dEdb, m_initial, b_initial,
                              X_norm, Y_norm, learning_rate, num_iterations, print_cost=True)

print(f"Gradient descent result: m_min, b_min = {m_gd}, {b_gd}")

X_pred = np.array([50, 120, 280])
# Use the same mean and standard deviation of the original training array X
X_pred_norm = (X_pred - np.mean(X))/np.std(X)
Y_pred_gd_norm = m_gd * X_pred_norm + b_gd
# Use the same mean and standard deviation of the original training array Y
Y_pred_gd = Y_pred_gd_norm * np.std(Y) + np.mean(Y)

print(f"TV marketing expenses:\n{X_pred}")
print(f"Predictions of sales using Scikit_Learn linear regression:\n{Y_pred_sklearn.T}")
print(f"Predictions of sales using Gradient Descent:\n{Y_pred_gd}")
