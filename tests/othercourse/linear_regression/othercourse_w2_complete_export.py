#!/usr/bin/env python
# coding: utf-8

# # Optimization Using Gradient Descent: Linear Regression
# 
# In this assignment you will predict a product's sales from the money spent on TV advertising. You
# will fit a straight line three ways: with NumPy, with Scikit-Learn, and with gradient descent that
# you write yourself.

# # Table of Contents
# 
# - [ 1 - Open the Dataset and State the Problem](#1)
#   - [ Exercise 1](#ex01)
# - [ 2 - Linear Regression in Python with NumPy and Scikit-Learn](#2)
#   - [ Exercise 2](#ex02)
#   - [ Exercise 3](#ex03)
#   - [ Exercise 4](#ex04)
# - [ 3 - Linear Regression using Gradient Descent](#3)
#   - [ Exercise 5](#ex05)
#   - [ Exercise 6](#ex06)

# ## Packages
# 
# Load the packages you need.

# In[1]:


import numpy as np
# A library for tables of data.
import pandas as pd
# A library for plots.
import matplotlib.pyplot as plt
# Show the plots inside the notebook.
get_ipython().run_line_magic('matplotlib', 'inline')

import w2_unittest


# <a name='1'></a>
# ## 1 - Open the Dataset and State the Problem
# 
# The file `data/tvmarketing.csv` has two columns: `TV`, the TV advertising budget, and `Sales`, the
# units sold.
# 
# <a name='ex01'></a>
# ### Exercise 1
# 
# Read the file into a pandas DataFrame called `adv`.

# In[2]:


### START CODE HERE ### (~ 1 line of code)
adv = pd.read_csv("data/tvmarketing.csv")
### END CODE HERE ###


# In[3]:


# Print some part of the dataset.
adv.head()


# In[4]:


w2_unittest.test_load_data(adv)


# In[5]:


adv.plot(x='TV', y='Sales', kind='scatter', c='black')


# <a name='2'></a>
# ## 2 - Linear Regression in Python with NumPy and Scikit-Learn
# 
# Keep the two columns in the variables `X` and `Y`.

# In[6]:


X = adv['TV']
Y = adv['Sales']


# <a name='ex02'></a>
# ### Exercise 2
# 
# Fit a line $Y = mX + b$ with `np.polyfit` (a polynomial of degree 1), and print its slope and
# intercept.

# In[7]:


m_numpy, b_numpy = np.polyfit(X, Y, 1)

print(f"Linear regression with NumPy. Slope: {m_numpy}. Intercept: {b_numpy}")


# <a name='ex03'></a>
# ### Exercise 3
# 
# Write `pred_numpy`, which returns the predictions $mX + b$ for an array of budgets `X`.

# In[8]:


# GRADED FUNCTION: pred_numpy

def pred_numpy(m, b, X):
    ### START CODE HERE ### (~ 1 line of code)
    Y = m * X + b
    ### END CODE HERE ###

    return Y


# In[9]:


X_pred = np.array([50, 120, 280])
Y_pred_numpy = pred_numpy(m_numpy, b_numpy, X_pred)

print(f"TV marketing expenses:\n{X_pred}")
print(f"Predictions of sales using NumPy linear regression:\n{Y_pred_numpy}")


# In[10]:


w2_unittest.test_pred_numpy(pred_numpy)


# <a name='ex04'></a>
# ### Exercise 4
# 
# Fit the same line with Scikit-Learn's `LinearRegression`. It wants a 2-D array of inputs: one row
# per example.

# In[11]:


from sklearn.linear_model import LinearRegression

lr_sklearn = LinearRegression()

X_sklearn = np.array(X).reshape(-1, 1)
Y_sklearn = np.array(Y).reshape(-1, 1)

lr_sklearn.fit(X_sklearn, Y_sklearn)

m_sklearn = lr_sklearn.coef_
b_sklearn = lr_sklearn.intercept_


# In[12]:


def pred_sklearn(X, lr_sklearn):
    ### START CODE HERE ### (~ 2 lines of code)
    X_2D = np.array(X).reshape(-1, 1)
    Y = lr_sklearn.predict(X_2D)
    ### END CODE HERE ###

    return Y

Y_pred_sklearn = pred_sklearn(X_pred, lr_sklearn)
print(f"Predictions of sales using Scikit_Learn linear regression:\n{Y_pred_sklearn.T}")


# <a name='3'></a>
# ## 3 - Linear Regression using Gradient Descent
# 
# The cost of a line $(m, b)$ on the $n$ examples is
# 
# $$E(m, b) = \frac{1}{2n}\sum_{i=1}^{n} \left(mx^{(i)} + b - y^{(i)}\right)^2,$$
# 
# and gradient descent moves $m$ and $b$ against its partial derivatives
# 
# $$\frac{\partial E}{\partial m} = \frac{1}{n}\sum_{i=1}^{n}\left(mx^{(i)} + b - y^{(i)}\right)x^{(i)},
# \qquad \frac{\partial E}{\partial b} = \frac{1}{n}\sum_{i=1}^{n}\left(mx^{(i)} + b - y^{(i)}\right).$$
# 
# The budgets and the sales have very different scales, so normalise both first.

# In[13]:


X_norm = (X - np.mean(X)) / np.std(X)
Y_norm = (Y - np.mean(Y)) / np.std(Y)


# The cost function:

# In[14]:


def E(m, b, X, Y):
    return 1/(2*len(Y))*np.sum((m*X + b - Y)**2)


# <a name='ex05'></a>
# ### Exercise 5
# 
# Write the two partial derivatives `dEdm` and `dEdb`. Each returns one number.

# In[15]:


# GRADED FUNCTION: dEdm

def dEdm(m, b, X, Y):
    ### START CODE HERE ### (~ 1 line of code)
    # Use the formula above; np.dot gives the sum of elementwise products.
    res = 1/len(X) * np.dot(m * X + b - Y, X)
    ### END CODE HERE ###

    return res


# In[16]:


# GRADED FUNCTION: dEdb

def dEdb(m, b, X, Y):
    ### START CODE HERE ### (~ 1 line of code)
    res = 1/len(X) * np.sum(m * X + b - Y)
    ### END CODE HERE ###

    return res


# In[17]:


print(dEdm(0, 0, X_norm, Y_norm))
print(dEdb(0, 0, X_norm, Y_norm))
print(dEdm(1, 5, X_norm, Y_norm))
print(dEdb(1, 5, X_norm, Y_norm))


# In[18]:


w2_unittest.test_partial_derivatives(dEdm, dEdb, X_norm, Y_norm)


# <a name='ex06'></a>
# ### Exercise 6
# 
# Write `gradient_descent`. In every iteration, compute both derivatives at the current $(m, b)$ and
# then update both parameters.

# In[19]:


# GRADED FUNCTION: gradient_descent

def gradient_descent(dEdm, dEdb, m, b, X, Y, learning_rate = 0.001, num_iterations = 1000, print_cost=False):
    for iteration in range(num_iterations):
        ### START CODE HERE ### (~ 2 lines of code)
        m_new = m - learning_rate * dEdm(m, b, X, Y)
        b_new = b - learning_rate * dEdb(m, b, X, Y)
        ### END CODE HERE ###
        m = m_new
        b = b_new
        if print_cost:
            print (f"Cost after iteration {iteration}: {E(m, b, X, Y)}")

    return m, b


# In[20]:


print(gradient_descent(dEdm, dEdb, 0, 0, X_norm, Y_norm))
print(gradient_descent(dEdm, dEdb, 1, 5, X_norm, Y_norm, learning_rate = 0.01, num_iterations = 10))


# In[21]:


w2_unittest.test_gradient_descent(gradient_descent, dEdm, dEdb, X_norm, Y_norm)


# Now run gradient descent from $(0, 0)$ with a learning rate of 1.2 for 30 iterations.

# In[ ]:


m_initial = 0; b_initial = 0; num_iterations = 30; learning_rate = 1.2
m_gd, b_gd = gradient_descent(dEdm, dEdb, m_initial, b_initial,
                              X_norm, Y_norm, learning_rate, num_iterations, print_cost=True)

print(f"Gradient descent result: m_min, b_min = {m_gd}, {b_gd}")


# The line was fitted on normalised data: normalise the new budgets with the mean and standard
# deviation of the training budgets, predict, and bring the predictions back to the scale of sales.

# In[ ]:


X_pred = np.array([50, 120, 280])
# Use the same mean and standard deviation of the original training array X
X_pred_norm = (X_pred - np.mean(X))/np.std(X)
Y_pred_gd_norm = m_gd * X_pred_norm + b_gd
# Use the same mean and standard deviation of the original training array Y
Y_pred_gd = Y_pred_gd_norm * np.std(Y) + np.mean(Y)

print(f"TV marketing expenses:\n{X_pred}")
print(f"Predictions of sales using Scikit_Learn linear regression:\n{Y_pred_sklearn.T}")
print(f"Predictions of sales using Gradient Descent:\n{Y_pred_gd}")


# Congratulations, you have finished the assignment!
